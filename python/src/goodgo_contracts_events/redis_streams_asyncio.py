"""Redis Streams for asyncio services (``redis.asyncio``, extra ``[redis]``).

The same binding and protocol as ``redis_streams`` (see there), from the same core; only the I/O
is awaited. Stops on ``stop.set()`` or on SIGTERM/SIGINT (``handle_signals``, in the main thread's loop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._redis._asyncio import AsyncHandler, consume_events
from ._redis._codec import HandlerContext
from ._redis._consumer import ConsumerStats
from ._redis._publish import text, xadd_args, xadd_batch

__all__ = ["AsyncHandler", "ConsumerStats", "HandlerContext", "consume_events", "publish_event", "publish_events"]


async def publish_event(client: Any, envelope: Mapping[str, object], *, max_len: int | None = None) -> str:
    """Validate in producer mode, then XADD; returns the entry id. An invalid event never reaches Redis."""
    key, fields, trim = xadd_args(envelope, max_len)
    return text(await client.xadd(key, fields, **trim))


async def publish_events(
    client: Any, envelopes: Sequence[Mapping[str, object]], *, max_len: int | None = None
) -> list[str]:
    """Publish many events in one pipeline round trip; all are validated first."""
    pipe = client.pipeline(transaction=False)
    for key, fields, trim in xadd_batch(envelopes, max_len):
        pipe.xadd(key, fields, **trim)
    return [text(i) for i in await pipe.execute()]
