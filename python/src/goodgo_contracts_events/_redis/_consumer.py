"""What the blocking and the asyncio consumers share besides the core: options, counters, reporting.

Everything here decides or counts; nothing does I/O. The loops (``_blocking``, ``_asyncio``) only
send what ``Batch`` and this state give them and hand back the replies.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict, Unpack

from .._generated.contract_data import EVENT_STREAM_KEYS, EVENT_TYPES, EventType
from .._generated.redis_protocol import REDIS_PROTOCOL
from .._uuid_v7 import uuidv7
from ._codec import HandlerContext
from ._core import Batch, CoreSettings, ScriptCall, StreamEntry, Work, claimed, retry_key
from ._metrics import ConsumerMetrics

DEFAULTS: dict[str, int] = REDIS_PROTOCOL["defaults"]
LOG = logging.getLogger("goodgo_contracts_events.redis_streams")
"""Where the consumers report failures by default (a handler that raised, a lost connection, ...)."""
_KEPT_ERRORS = 100
NO_TRACE_ID = "0" * 32
SEND_SECONDS = 0.001
"""How long handlers that run one after another may wait for their outcomes to be sent: those of one
millisecond go in one write and one commit call (a SIGKILL can lose at most that much)."""

OnError = Callable[[BaseException, str], None]
Finished = tuple[Work, BaseException | None, float]
"""A handler run: its event, what it raised (None: it succeeded), and how long it took (seconds)."""
_REASON_FIELD: str = REDIS_PROTOCOL["deadLetterFields"]["reason"]


def describe(error: BaseException) -> str:
    """``ResponseError: WRONGTYPE ...``: redis-py 8's exceptions print only their class in ``repr``."""
    return f"{type(error).__name__}: {error}"


@dataclass
class ConsumerStats:
    """What a consumer did. ``errors`` keeps the last 100 failures as text; ``error_count`` counts them all."""

    handled: int = 0
    duplicates: int = 0
    failed: int = 0
    dead_lettered: int = 0
    reclaimed: int = 0
    trimmed: int = 0
    error_count: int = 0
    errors: list[str] = field(default_factory=list)


def _check(event_types: Sequence[str], group: str, consumer: str, numbers: dict[str, int]) -> None:
    if not event_types:
        raise TypeError("consume_events: event_types is empty; name the event types to consume")
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise TypeError(
            f"consume_events: event_types has {', '.join(map(repr, unknown))}, not in the contract "
            f"(known: {', '.join(EVENT_TYPES)}); upgrade the package if the type is new"
        )
    for name, value in (("group", group), ("consumer", consumer)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"consume_events: {name} must be a non-empty string, got {value!r}")
    for name, number in numbers.items():
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ValueError(f"consume_events: {name} must be a positive integer, got {number!r}")


class ConsumeOptions(TypedDict, total=False):
    """The options both consumers take besides the client, handler and stop; defaults from the contract."""

    group: Required[str]
    """The consumer group: one per consuming service. Created if missing."""
    consumer: Required[str]
    """This consumer's name in the group, unique per process (host and pid, say)."""
    event_types: Required[Sequence[EventType]]
    """The event types to consume: one stream each."""
    count: int
    """Entries per read (default 50)."""
    block_ms: int
    """How long a read blocks waiting for entries (default 2000)."""
    idle_timeout_ms: int
    """A lease's length: pending longer, an entry is reclaimed by another consumer (default 30 s)."""
    max_deliveries: int
    """A handler failing on this delivery dead-letters the entry (default 5)."""
    idempotency_window_ms: int
    """A group handles an eventId at most once within this window (default 24 h)."""
    concurrency: int
    """Handlers at once (default 1: in stream order)."""
    start_id: str
    """Where a new group starts: "0" (the whole stream, the default) or "$"."""
    on_error: OnError | None
    """Told of every failure instead of the logger."""


class ConsumerState:
    """Options, per-stream settings, counters and reporting of one consumer."""

    def __init__(self, **options: Unpack[ConsumeOptions]) -> None:
        group, consumer, event_types = options["group"], options["consumer"], options["event_types"]
        numbers = {
            "count": options.get("count", DEFAULTS["count"]),
            "block_ms": options.get("block_ms", DEFAULTS["blockMs"]),
            "idle_timeout_ms": options.get("idle_timeout_ms", DEFAULTS["idleTimeoutMs"]),
            "max_deliveries": options.get("max_deliveries", DEFAULTS["maxDeliveries"]),
            "idempotency_window_ms": options.get("idempotency_window_ms", DEFAULTS["idempotencyWindowMs"]),
            "concurrency": options.get("concurrency", DEFAULTS["concurrency"]),
        }
        _check(event_types, group, consumer, numbers)
        self.group, self.consumer, self.count, self.block_ms = group, consumer, numbers["count"], numbers["block_ms"]
        self.concurrency, self.start_id = numbers["concurrency"], options.get("start_id", "0")
        self.on_error = options.get("on_error")
        idle = numbers["idle_timeout_ms"]
        self.beat_seconds = max(0.01, idle / 3000)
        self.reclaim_seconds = max(0.05, idle / 2000)
        token = f"{consumer}/{socket.gethostname()}/{os.getpid()}/{uuidv7()}"
        windows = (idle, numbers["max_deliveries"], numbers["idempotency_window_ms"])
        self.settings = {t: CoreSettings(t, group, consumer, token, *windows) for t in dict.fromkeys(event_types)}
        self.last_seen: dict[EventType, str] = {}
        self.stats = ConsumerStats()
        self.metrics = {
            t: ConsumerMetrics(stream=EVENT_STREAM_KEYS[t], group=group, event_type=t) for t in self.settings
        }
        self._type_of = {key: t for t in self.settings for key in self.streams(t)}

    def report(self, error: BaseException, where: str) -> None:
        self.stats.error_count += 1
        self.stats.errors.append(f"{where}: {describe(error)}")
        del self.stats.errors[:-_KEPT_ERRORS]
        if self.on_error is not None:
            self.on_error(error, where)
        else:
            LOG.error("consume_events [%s/%s] %s: %s", self.group, self.consumer, where, describe(error))

    def batch(self, event_type: EventType, entries: Sequence[StreamEntry], from_stream: str | None = None) -> Batch:
        if entries and entries[0].deliveries == 1 and from_stream is None:
            self.last_seen[event_type] = entries[-1].id
        self.metrics[event_type].consumed(len(entries))
        return Batch(self.settings[event_type], entries, from_stream)

    def write_done(self, call: ScriptCall) -> None:
        """A posted write succeeded: a dead letter is counted in the metrics once it is written."""
        if call.script == "deadLetter":
            at = call.args.index(_REASON_FIELD)
            self.metrics[self._type_of[call.keys[0]]].dead_lettered(str(call.args[at + 1]))

    def streams(self, event_type: EventType) -> tuple[str, str]:
        """The event type's stream and this group's retry stream (read beside it, in its slot)."""
        stream = EVENT_STREAM_KEYS[event_type]
        return stream, retry_key(stream, self.group)

    def entries_read(self, event_type: EventType, by_stream: dict[str, list[StreamEntry]]) -> list[Batch]:
        """The batches of one read: the stream's entries, then the retried ones."""
        stream, retry = self.streams(event_type)
        batches = []
        if by_stream.get(stream):
            batches.append(self.batch(event_type, by_stream[stream]))
        if by_stream.get(retry):
            batches.append(self.batch(event_type, by_stream[retry], retry))
        return batches

    def dead_letter_failed(self, call: ScriptCall, error: BaseException) -> None:
        self.stats.dead_lettered -= 1
        self.report(
            RuntimeError(f"could not dead-letter entry {call.args[2]!r}; it stays pending: {describe(error)}"),
            call.keys[0],
        )

    def write_failed(self, call: ScriptCall, error: BaseException) -> None:
        if call.script == "deadLetter":
            self.dead_letter_failed(call, error)
        else:
            self.report(
                RuntimeError(f"could not record an outcome (the entry stays pending, redelivered): {describe(error)}"),
                call.keys[0],
            )

    def begun(self, batch: Batch, reply: Any) -> list[Work]:
        self.stats.dead_lettered += len(batch.dead_letters)
        result = batch.begun(reply)
        self.stats.duplicates += result.duplicates
        self.metrics[batch.settings.event_type].duplicates(result.duplicates)
        return result.leased

    def extended(self, batch: Batch, call: ScriptCall, reply: Any) -> None:
        for work in batch.extended(call, reply):
            message = "lost the lease of an event still being handled; raise idle_timeout_ms above the slowest handler"
            self.report(RuntimeError(message), f"{batch.stream} {work.entry.id}")

    def context(self, batch: Batch, work: Work) -> HandlerContext:
        trace = work.event["traceId"]
        return HandlerContext(
            batch.stream, work.entry.id, work.entry.deliveries, None if trace == NO_TRACE_ID else trace
        )

    def outcomes(self, batch: Batch, finished: Sequence[Finished]) -> list[ScriptCall]:
        """The writes that record handlers that finished together: one commit for the successes, one per failure."""
        for _, error, seconds in finished:
            self.metrics[batch.settings.event_type].finished(seconds, error)
        calls = [self.failure(batch, work, error) for work, error, _ in finished if error is not None]
        succeeded = [work for work, error, _ in finished if error is None]
        self.stats.handled += len(succeeded)
        return [batch.succeeded(succeeded), *calls] if succeeded else calls

    def failure(self, batch: Batch, work: Work, error: BaseException) -> ScriptCall:
        """The write that records a handler's failure (release, or dead-letter on the last delivery), reported."""
        self.stats.failed += 1
        self.report(error, f"{batch.stream} {work.entry.id}")
        call, dead = batch.failed(work, describe(error))
        self.stats.dead_lettered += int(dead)
        return call

    def claimed(self, event_type: EventType, reply: Any) -> tuple[str, list[StreamEntry]]:
        next_start, entries, trimmed = claimed(reply)
        if trimmed:
            self.stats.trimmed += len(trimmed)
            shown = ", ".join(trimmed[:10]) + (", ..." if len(trimmed) > 10 else "")
            message = f"{len(trimmed)} pending entries were trimmed from the stream before they were handled: {shown}"
            self.report(RuntimeError(message), EVENT_STREAM_KEYS[event_type])
        self.stats.reclaimed += len(entries)
        return next_start, entries

    def group_args(self, event_type: EventType, start: str) -> list[list[str]]:
        """XGROUP CREATE on the stream (from ``start``) and on the retry stream (from the beginning)."""
        stream, retry = self.streams(event_type)
        return [["XGROUP", "CREATE", key, self.group, at, "MKSTREAM"] for key, at in ((stream, start), (retry, "0"))]

    def lost_group(self, event_type: EventType, error: BaseException) -> str | None:
        """On NOGROUP: where to recreate the group (the last entry this consumer saw, not 0), reported."""
        if "NOGROUP" not in str(error):
            return None
        start = self.last_seen.get(event_type, self.start_id)
        message = (
            f"the consumer group {self.group} was lost (stream deleted, or Redis restarted without persistence); "
            f"recreated it at {start}, the last entry this consumer saw"
        )
        self.report(RuntimeError(message), EVENT_STREAM_KEYS[event_type])
        return start

    def read_args(self, event_types: Sequence[EventType]) -> list[str]:
        keys = [key for t in event_types for key in self.streams(t)]
        head = ["XREADGROUP", "GROUP", self.group, self.consumer, "COUNT", str(self.count)]
        return [*head, "BLOCK", str(self.block_ms), "STREAMS", *keys, *(">" for _ in keys)]


class Outbox:
    """The outcomes of handlers that finished and are not sent yet, and when they are due."""

    def __init__(self, state: ConsumerState, batch: Batch) -> None:
        self.state, self.batch = state, batch
        self.finished: list[Finished] = []
        self.sent_at = time.monotonic()

    def due(self, force: bool) -> list[ScriptCall]:
        """The writes to send now: all of them when ``force`` or a millisecond has passed, else none."""
        now = time.monotonic()
        if not self.finished or not (force or now - self.sent_at >= SEND_SECONDS):
            return []
        finished, self.finished, self.sent_at = self.finished, [], now
        return self.state.outcomes(self.batch, finished)
