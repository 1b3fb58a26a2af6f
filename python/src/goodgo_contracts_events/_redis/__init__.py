"""The Redis Streams binding: a pure protocol core (``_core``), the codec, and the I/O loops around them.

The public modules are ``goodgo_contracts_events.redis_streams`` (blocking) and
``goodgo_contracts_events.redis_streams_asyncio`` (asyncio).
"""
