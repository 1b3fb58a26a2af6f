"""Redis Streams for Python services (redis-py, extra ``[redis]``): publish and consume events.

The binding of the contract (``x-redis-streams`` in asyncapi.yaml), the same protocol as the
TypeScript package, from the same generated data and Lua scripts: one stream per event type; the
envelope as UTF-8 JSON in the field ``envelope``; consumer groups; dead letters to
``{<stream>}:dead-letter`` with the reason, the group and the original bytes; leases renewed while
handlers run; the eventId as idempotency key. Works with ``redis.Redis`` and
``redis.cluster.RedisCluster``. For asyncio services, see ``redis_streams_asyncio``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._redis._blocking import Handler, consume_events
from ._redis._codec import HandlerContext, from_stream_fields, to_stream_fields
from ._redis._consumer import LOG, ConsumerStats
from ._redis._metrics import CONSUMER_METRICS
from ._redis._publish import text, xadd_args, xadd_batch
from .models import EventEnvelope, KnownEvent

__all__ = [
    "CONSUMER_METRICS",
    "LOG",
    "ConsumerStats",
    "Handler",
    "HandlerContext",
    "consume_events",
    "from_stream_fields",
    "publish_event",
    "publish_events",
    "to_stream_fields",
]


def publish_event(
    client: Any, envelope: KnownEvent | EventEnvelope | Mapping[str, object], *, max_len: int | None = None
) -> str:
    """Validate in producer mode, then XADD to the event type's stream; returns the entry id.

    Raises ``EventValidationError`` for an invalid event, which never reaches Redis; the bytes sent
    are the bytes validated.
    """
    key, fields, trim = xadd_args(envelope, max_len)
    return text(client.xadd(key, fields, **trim))


def publish_events(client: Any, envelopes: Sequence[Mapping[str, object]], *, max_len: int | None = None) -> list[str]:
    """Publish many events in one pipeline round trip; all are validated first (none sent if one is invalid)."""
    pipe = client.pipeline(transaction=False)
    for key, fields, trim in xadd_batch(envelopes, max_len):
        pipe.xadd(key, fields, **trim)
    return [text(i) for i in pipe.execute()]
