"""Redis Streams for Python services (redis-py, extra ``[redis]``): publish and consume events.

The same binding and semantics as the TypeScript package (``x-redis-streams`` in asyncapi.yaml):
one stream per event type; the envelope as UTF-8 JSON in the field ``envelope``; consumer groups;
acknowledge only after the handler succeeded; dead letters to ``<stream>:dead-letter`` with the
reason and the original fields; reclaim after an idle timeout; the eventId as idempotency key.
Works with ``redis.Redis`` and ``redis.cluster.RedisCluster`` (every command names one key).
For asyncio services, see ``redis_streams_asyncio``.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from ._contract_data import EVENT_DEAD_LETTER_KEYS, EventType
from ._errors import EventValidationError, ValidationIssue
from ._stream_entry import (
    Decision,
    HandlerContext,
    dead_letter_fields,
    decide,
    entries_of,
    from_stream_fields,
    stream_of,
    to_stream_fields,
)
from ._validate import validate_envelope
from .models import EventEnvelope, KnownEvent

__all__ = [
    "ConsumerStats",
    "HandlerContext",
    "consume_events",
    "from_stream_fields",
    "publish_event",
    "publish_events",
    "to_stream_fields",
]

Handler = Callable[[KnownEvent, HandlerContext], object]


def _checked(envelope: Mapping[str, object], index: int | None = None) -> Mapping[str, object]:
    result = validate_envelope(envelope, "producer")
    if not result.ok:
        prefix = "" if index is None else f"/{index}"
        raise EventValidationError(
            tuple(ValidationIssue(prefix + e.path, e.keyword, e.message, e.params) for e in result.errors)
        )
    return envelope


def _xadd_args(envelope: Mapping[str, object], max_len: int | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    key = stream_of(cast(EventType, envelope["eventType"]))
    trim: dict[str, Any] = {} if max_len is None else {"maxlen": max_len, "approximate": True}
    return key, to_stream_fields(envelope), trim


def publish_event(
    client: Any, envelope: KnownEvent | EventEnvelope | Mapping[str, object], *, max_len: int | None = None
) -> str:
    """Validate in producer mode, then XADD to the event type's stream; returns the entry id.

    Raises ``EventValidationError`` for an invalid event, which never reaches Redis.
    """
    key, fields, trim = _xadd_args(_checked(envelope), max_len)
    entry_id = client.xadd(key, fields, **trim)
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


def _xadd_batch(
    envelopes: Sequence[Mapping[str, object]], max_len: int | None
) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
    """The XADDs of a batch, every event validated first: raises with all problems, each at /<index>."""
    problems: list[ValidationIssue] = []
    commands = []
    for i, envelope in enumerate(envelopes):
        try:
            commands.append(_xadd_args(_checked(envelope, i), max_len))
        except EventValidationError as e:
            problems.extend(e.errors)
    if problems:
        raise EventValidationError(tuple(problems))
    return commands


def publish_events(client: Any, envelopes: Sequence[Mapping[str, object]], *, max_len: int | None = None) -> list[str]:
    """Publish many events in one pipeline round trip; all are validated first (none sent if one is invalid)."""
    commands = _xadd_batch(envelopes, max_len)
    pipe = client.pipeline(transaction=False)
    for key, fields, trim in commands:
        pipe.xadd(key, fields, **trim)
    return [i.decode() if isinstance(i, bytes) else str(i) for i in pipe.execute()]


@dataclass
class ConsumerStats:
    """What a consumer did: handled, duplicates skipped, handler failures, dead letters, reclaimed entries."""

    handled: int = 0
    duplicates: int = 0
    failed: int = 0
    dead_lettered: int = 0
    reclaimed: int = 0
    errors: list[str] = field(default_factory=list)


def _text(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


class _Consumer:
    """One consumer's loop: decisions in _stream_entry, Redis round trips batched per read."""

    def __init__(
        self,
        client: Any,
        group: str,
        consumer: str,
        event_types: Sequence[EventType],
        handler: Handler,
        *,
        count: int,
        block_ms: int,
        idle_ms: int,
        max_deliveries: int,
        window_ms: int,
        on_error: Callable[[BaseException, str], None] | None,
    ) -> None:
        self.client = client
        self.group = group
        self.consumer = consumer
        self.types = list(event_types)
        self.handler = handler
        self.count = count
        self.block_ms = block_ms
        self.idle_ms = idle_ms
        self.max_deliveries = max_deliveries
        self.window_ms = window_ms
        self.on_error = on_error
        self.stats = ConsumerStats()
        self.cluster = type(client).__name__ == "RedisCluster"

    def lock_key(self, event_id: str) -> str:
        return f"events:handled:{self.group}:{event_id}"

    def report(self, error: BaseException, where: str) -> None:
        self.stats.errors.append(f"{where}: {error!r}")
        if self.on_error:
            self.on_error(error, where)

    def create_groups(self, start_id: str) -> None:
        import redis

        for t in self.types:
            try:
                self.client.xgroup_create(stream_of(t), self.group, id=start_id, mkstream=True)
            except redis.ResponseError as e:
                if "BUSYGROUP" not in str(e):
                    raise

    def handle_batch(
        self, event_type: EventType, entries: Iterable[tuple[str, dict[Any, Any]]], deliveries: Mapping[str, int]
    ) -> None:
        stream = stream_of(event_type)
        dead = EVENT_DEAD_LETTER_KEYS[event_type]
        ready: list[tuple[str, KnownEvent]] = []
        pipe = self.client.pipeline(transaction=False)
        n_dead = 0
        for entry_id, fields in entries:
            n = deliveries.get(entry_id, 1)
            decision: Decision = decide(event_type, fields, n, self.max_deliveries)
            if decision.event is None:
                pipe.xadd(
                    dead,
                    dead_letter_fields(
                        fields,
                        stream=stream,
                        entry_id=entry_id,
                        reason=decision.reason or "invalid",
                        errors=decision.errors,
                        deliveries=n,
                    ),
                )
                pipe.xack(stream, self.group, entry_id)
                n_dead += 1
            else:
                ready.append((entry_id, decision.event))
        # Locks for the whole batch in the same round trip as the dead letters.
        for _, event in ready:
            pipe.set(self.lock_key(event["eventId"]), f"processing:{self.consumer}", nx=True, px=self.idle_ms)
        replies = pipe.execute()
        self.stats.dead_lettered += n_dead
        locks = replies[2 * n_dead :]
        done = self.client.pipeline(transaction=False)
        handled_now: set[str] = set()  # marked done at the end of the batch, so known here
        for (entry_id, event), locked in zip(ready, locks, strict=True):
            key = self.lock_key(event["eventId"])
            if not locked:
                if event["eventId"] in handled_now or _text(self.client.get(key) or b"") == "done":  # a duplicate
                    self.client.xack(stream, self.group, entry_id)
                    self.stats.duplicates += 1
                continue  # being handled by another consumer: leave it pending
            trace = event["traceId"]
            context = HandlerContext(
                stream, entry_id, deliveries.get(entry_id, 1), None if trace == "0" * 32 else trace
            )
            try:
                self.handler(event, context)
            except Exception as e:
                self.stats.failed += 1
                self.report(e, f"{stream} {entry_id}")
                self.client.delete(key)
                continue
            done.set(key, "done", px=self.window_ms)
            done.xack(stream, self.group, entry_id)
            handled_now.add(event["eventId"])
            self.stats.handled += 1
        if len(done):
            done.execute()

    def read(self) -> None:
        if self.cluster:  # one stream per command: streams live on different slots
            for t in self.types:
                reply = self.client.xreadgroup(
                    self.group,
                    self.consumer,
                    {stream_of(t): ">"},
                    count=self.count,
                    block=max(10, self.block_ms // len(self.types)),
                )
                entries = entries_of(reply)
                if entries:
                    self.handle_batch(t, entries, {})
            return
        reply = self.client.xreadgroup(
            self.group, self.consumer, {stream_of(t): ">" for t in self.types}, count=self.count, block=self.block_ms
        )
        by_stream: dict[str, list[tuple[str, dict[Any, Any]]]] = {}
        items = list(reply.items()) if isinstance(reply, dict) else [(s[0], s[1]) for s in reply or []]
        for name, entries in items:
            by_stream[_text(name)] = entries_of({name: entries})
        for t in self.types:
            entries = by_stream.get(stream_of(t), [])
            if entries:
                self.handle_batch(t, entries, {})

    def reclaim(self) -> None:
        for t in self.types:
            stream = stream_of(t)
            reply = self.client.xautoclaim(
                stream, self.group, self.consumer, min_idle_time=self.idle_ms, start_id="0-0", count=self.count
            )
            claimed = [(_text(i), dict(f)) for i, f in (reply[1] if len(reply) > 1 else []) if f is not None]
            if not claimed:
                continue
            self.stats.reclaimed += len(claimed)
            deliveries: dict[str, int] = {}
            for entry_id, _ in claimed:
                rows = self.client.xpending_range(stream, self.group, min=entry_id, max=entry_id, count=1)
                deliveries[entry_id] = int(rows[0]["times_delivered"]) if rows else 1
            self.handle_batch(t, claimed, deliveries)


def consume_events(
    client: Any,
    *,
    group: str,
    consumer: str,
    event_types: Sequence[EventType],
    handler: Handler,
    count: int = 50,
    block_ms: int = 2000,
    idle_timeout_ms: int = 30_000,
    max_deliveries: int = 5,
    idempotency_window_ms: int = 86_400_000,
    start_id: str = "0",
    stop: threading.Event | None = None,
    handle_signals: bool = True,
    on_error: Callable[[BaseException, str], None] | None = None,
) -> ConsumerStats:
    """Consume events in a consumer group until stopped; returns what was done.

    Creates the group if missing (from ``start_id``, the whole stream by default: nothing is lost);
    reads (blocking ``block_ms``), validates in consumer mode, calls ``handler(event, context)``
    and XACKs only after it returns. Invalid entries go to the dead-letter stream with the reason,
    then are acknowledged. A handler that raises leaves its entry pending; entries pending longer
    than ``idle_timeout_ms`` are reclaimed (XAUTOCLAIM) by any consumer of the group, and
    dead-lettered after ``max_deliveries``. The eventId is the idempotency key (``SET NX``).
    Stops when ``stop`` is set, or on SIGTERM/SIGINT (``handle_signals``, main thread only):
    the entry in hand is finished first. Survives Redis restarts (it reconnects and carries on).
    """
    import redis

    if not event_types:
        raise TypeError("consume_events: event_types is empty; name the event types to consume")
    stop = stop or threading.Event()
    loop = _Consumer(
        client,
        group,
        consumer,
        event_types,
        handler,
        count=count,
        block_ms=block_ms,
        idle_ms=idle_timeout_ms,
        max_deliveries=max_deliveries,
        window_ms=idempotency_window_ms,
        on_error=on_error,
    )
    previous: dict[signal.Signals, Any] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set():
            try:
                loop.create_groups(start_id)
                break
            except redis.ConnectionError as e:
                loop.report(e, "create groups")
                time.sleep(0.2)
        next_reclaim = time.monotonic() + idle_timeout_ms / 2000
        backoff = 0.1
        while not stop.is_set():
            try:
                loop.read()
                if time.monotonic() >= next_reclaim:
                    loop.reclaim()
                    next_reclaim = time.monotonic() + idle_timeout_ms / 2000
                backoff = 0.1
            except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as e:
                # Redis restarting (LOADING), a lost connection: wait, reconnect, carry on.
                loop.report(e, "read")
                if isinstance(e, redis.ResponseError) and "NOGROUP" in str(e):
                    loop.create_groups(start_id)
                stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)
    finally:
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)
    return loop.stats
