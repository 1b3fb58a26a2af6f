"""Redis Streams for asyncio services (``redis.asyncio``, extra ``[redis]``).

The same binding and semantics as ``redis_streams`` (see there); only the I/O is awaited. Stops on
``stop.set()`` or on SIGTERM/SIGINT (``handle_signals``, when running in the main thread's loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ._contract_data import EVENT_DEAD_LETTER_KEYS, EventType
from ._stream_entry import HandlerContext, dead_letter_fields, decide, entries_of, stream_of
from .models import KnownEvent
from .redis_streams import ConsumerStats, _checked, _text, _xadd_args, _xadd_batch

__all__ = ["consume_events", "publish_event", "publish_events"]

AsyncHandler = Callable[[KnownEvent, HandlerContext], Awaitable[object] | object]


async def publish_event(client: Any, envelope: Mapping[str, object], *, max_len: int | None = None) -> str:
    """Validate in producer mode, then XADD; returns the entry id. An invalid event never reaches Redis."""
    key, fields, trim = _xadd_args(_checked(envelope), max_len)
    return _text(await client.xadd(key, fields, **trim))


async def publish_events(
    client: Any, envelopes: Sequence[Mapping[str, object]], *, max_len: int | None = None
) -> list[str]:
    """Publish many events in one pipeline round trip; all are validated first."""
    commands = _xadd_batch(envelopes, max_len)
    pipe = client.pipeline(transaction=False)
    for key, fields, trim in commands:
        pipe.xadd(key, fields, **trim)
    return [_text(i) for i in await pipe.execute()]


async def consume_events(
    client: Any,
    *,
    group: str,
    consumer: str,
    event_types: Sequence[EventType],
    handler: AsyncHandler,
    count: int = 50,
    block_ms: int = 2000,
    idle_timeout_ms: int = 30_000,
    max_deliveries: int = 5,
    idempotency_window_ms: int = 86_400_000,
    start_id: str = "0",
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> ConsumerStats:
    """Consume events until stopped (see ``redis_streams.consume_events``); ``handler`` may be async."""
    import redis

    if not event_types:
        raise TypeError("consume_events: event_types is empty; name the event types to consume")
    stop = stop or asyncio.Event()
    stats = ConsumerStats()
    loop = asyncio.get_running_loop()
    if handle_signals:
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Not the main thread, or not supported here: then stop with stop.set().
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

    def lock_key(event_id: str) -> str:
        return f"events:handled:{group}:{event_id}"

    async def create_groups() -> None:
        for t in event_types:
            try:
                await client.xgroup_create(stream_of(t), group, id=start_id, mkstream=True)
            except redis.ResponseError as e:
                if "BUSYGROUP" not in str(e):
                    raise

    async def handle_batch(
        event_type: EventType, entries: list[tuple[str, dict[Any, Any]]], deliveries: Mapping[str, int]
    ) -> None:
        stream = stream_of(event_type)
        ready: list[tuple[str, KnownEvent]] = []
        pipe = client.pipeline(transaction=False)
        n_dead = 0
        for entry_id, fields in entries:
            n = deliveries.get(entry_id, 1)
            decision = decide(event_type, fields, n, max_deliveries)
            if decision.event is None:
                dead = dead_letter_fields(
                    fields,
                    stream=stream,
                    entry_id=entry_id,
                    reason=decision.reason or "invalid",
                    errors=decision.errors,
                    deliveries=n,
                )
                pipe.xadd(EVENT_DEAD_LETTER_KEYS[event_type], dead)
                pipe.xack(stream, group, entry_id)
                n_dead += 1
            else:
                ready.append((entry_id, decision.event))
        for _, event in ready:
            pipe.set(lock_key(event["eventId"]), f"processing:{consumer}", nx=True, px=idle_timeout_ms)
        replies = await pipe.execute()
        stats.dead_lettered += n_dead
        done = client.pipeline(transaction=False)
        handled_now: set[str] = set()  # marked done at the end of the batch, so known here
        for (entry_id, event), locked in zip(ready, replies[2 * n_dead :], strict=True):
            key = lock_key(event["eventId"])
            if not locked:
                if event["eventId"] in handled_now or _text(await client.get(key) or b"") == "done":
                    await client.xack(stream, group, entry_id)
                    stats.duplicates += 1
                continue
            trace = event["traceId"]
            context = HandlerContext(
                stream, entry_id, deliveries.get(entry_id, 1), None if trace == "0" * 32 else trace
            )
            try:
                outcome = handler(event, context)
                if asyncio.iscoroutine(outcome) or isinstance(outcome, asyncio.Future):
                    await outcome
            except Exception as e:
                stats.failed += 1
                stats.errors.append(f"{stream} {entry_id}: {e!r}")
                await client.delete(key)
                continue
            done.set(key, "done", px=idempotency_window_ms)
            done.xack(stream, group, entry_id)
            handled_now.add(event["eventId"])
            stats.handled += 1
        if len(done):
            await done.execute()

    async def reclaim() -> None:
        for t in event_types:
            stream = stream_of(t)
            reply = await client.xautoclaim(
                stream, group, consumer, min_idle_time=idle_timeout_ms, start_id="0-0", count=count
            )
            claimed = [(_text(i), dict(f)) for i, f in (reply[1] if len(reply) > 1 else []) if f is not None]
            if not claimed:
                continue
            stats.reclaimed += len(claimed)
            deliveries: dict[str, int] = {}
            for entry_id, _ in claimed:
                rows = await client.xpending_range(stream, group, min=entry_id, max=entry_id, count=1)
                deliveries[entry_id] = int(rows[0]["times_delivered"]) if rows else 1
            await handle_batch(t, claimed, deliveries)

    while not stop.is_set():
        try:
            await create_groups()
            break
        except redis.ConnectionError as e:
            stats.errors.append(f"create groups: {e!r}")
            await asyncio.sleep(0.2)
    next_reclaim = time.monotonic() + idle_timeout_ms / 2000
    backoff = 0.1
    while not stop.is_set():
        try:
            # One stream per command: the same code works on a cluster (streams on different slots).
            for t in event_types:
                block = max(10, block_ms // len(event_types))
                reply = await client.xreadgroup(group, consumer, {stream_of(t): ">"}, count=count, block=block)
                entries = entries_of(reply)
                if entries:
                    await handle_batch(t, entries, {})
            if time.monotonic() >= next_reclaim:
                await reclaim()
                next_reclaim = time.monotonic() + idle_timeout_ms / 2000
            backoff = 0.1
        except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as e:
            stats.errors.append(f"read: {e!r}")
            if isinstance(e, redis.ResponseError) and "NOGROUP" in str(e):
                await create_groups()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, 2.0)
    return stats
