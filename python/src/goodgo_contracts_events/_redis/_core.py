"""The consumer protocol as a pure state machine (sans-I/O): entries and replies in, script calls out.

The same steps, names and rules as src/redis/consumer-core.ts and decide-entry.ts; the blocking and
the asyncio consumers are thin loops around it. See ``Batch`` for the steps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._errors import ValidationIssue
from .._generated.contract_data import EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS, EventType
from .._generated.redis_protocol import REDIS_PROTOCOL
from ..models import KnownEvent
from ._codec import from_stream_fields

_DL: dict[str, str] = REDIS_PROTOCOL["deadLetterFields"]
_OURS_PREFIX: bytes = REDIS_PROTOCOL["deadLetterFieldPrefix"].encode()
_SHADOW: str = REDIS_PROTOCOL["shadowPrefix"]
_LIMIT_KEYWORDS = frozenset({"maxEventBytes", "maxDepth", "maxNumberLength"})

Arg = str | bytes


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One entry as a consumer reads it: raw field bytes, and how often the group delivered it."""

    id: str
    fields: Sequence[bytes]
    """``[name, value, name, value, ...]`` as Redis stores them."""
    deliveries: int


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One Lua script of the protocol to run, with its keys (all in the stream's slot) and arguments."""

    script: str
    keys: tuple[str, ...]
    args: tuple[Arg, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with an entry before any handler runs: handle ``event``, or dead-letter it."""

    event: KnownEvent | None
    reason: str | None = None
    errors: tuple[dict[str, Any], ...] = ()


@dataclass(eq=False, slots=True)
class Work:
    """One event of a batch to hand to the handler, with all its entries in the batch and its lease key."""

    event: KnownEvent
    entry: StreamEntry
    entry_ids: list[str]
    key: str


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An entry dead-lettered before any handler ran, with the call that does it."""

    entry: StreamEntry
    reason: str
    call: ScriptCall


def _issue(path: str, keyword: str, params: dict[str, Any], message: str) -> dict[str, Any]:
    return {"instancePath": path, "keyword": keyword, "params": params, "message": message}


def _issues(items: Sequence[ValidationIssue]) -> tuple[dict[str, Any], ...]:
    return tuple(_issue(i.path, i.keyword, dict(i.params or {}), i.message) for i in items)


def decide_entry(event_type: EventType, entry: StreamEntry, max_deliveries: int) -> Decision:
    """Handle the entry, or dead-letter it (max-deliveries, over-limit, invalid, wrong-stream, payload-invalid)."""
    if entry.deliveries > max_deliveries:
        message = (
            f"was delivered {entry.deliveries} times without being acknowledged, "
            f"more than maxDeliveries ({max_deliveries})"
        )
        return Decision(None, "max-deliveries", (_issue("", "maxDeliveries", {"limit": max_deliveries}, message),))
    result = from_stream_fields(entry.fields)
    if not result.ok or result.event is None:
        over = any(e.keyword in _LIMIT_KEYWORDS for e in result.errors)
        return Decision(None, "over-limit" if over else "invalid", _issues(result.errors))
    if result.event["eventType"] != event_type:
        message = f'is "{result.event["eventType"]}" on the stream of {event_type}'
        return Decision(None, "wrong-stream", (_issue("/eventType", "const", {"allowedValue": event_type}, message),))
    if not result.known:
        return Decision(None, "payload-invalid", _issues(result.warnings))
    return Decision(result.known_event)


def handler_failure(deliveries: int, max_deliveries: int, error: str) -> tuple[dict[str, Any], ...]:
    """The dead-letter errors of a handler that failed on its last allowed delivery."""
    message = f"the handler failed on delivery {deliveries} of {max_deliveries}: {error}"
    return (_issue("", "handler", {"limit": max_deliveries}, message),)


def dead_letter_fields(
    entry: StreamEntry, *, event_type: EventType, group: str, reason: str, errors: Sequence[dict[str, Any]]
) -> list[Arg]:
    """The original fields byte for byte (one named with our prefix kept under ``original.``), then ours."""
    out: list[Arg] = []
    for name, value in zip(entry.fields[0::2], entry.fields[1::2], strict=False):
        shadowed = name.startswith(_OURS_PREFIX) or name.startswith(_SHADOW.encode())
        out += [_SHADOW.encode() + name if shadowed else name, value]
    errors_json = json.dumps(list(errors), ensure_ascii=False, separators=(",", ":"))
    out += [
        _DL["stream"], EVENT_STREAM_KEYS[event_type],
        _DL["id"], entry.id,
        _DL["group"], group,
        _DL["reason"], reason,
        _DL["errors"], errors_json,
        _DL["deliveries"], str(entry.deliveries),
    ]  # fmt: skip
    return out


def handled_key(stream: str, group: str, event_id: str) -> str:
    """``{<stream>}:handled:<group>:<eventId>``: an event's lease and done mark, in its stream's slot."""
    template: str = REDIS_PROTOCOL["handledKey"]
    return template.replace("<stream>", stream).replace("<group>", group).replace("<eventId>", event_id)


def retry_key(stream: str, group: str) -> str:
    """``{<stream>}:retry:<group>``: where ``dlq redrive`` sends a dead letter back to its group alone."""
    template: str = REDIS_PROTOCOL["retryStream"]
    return template.replace("<stream>", stream).replace("<group>", group)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True, slots=True)
class CoreSettings:
    """What the core knows of the consumer, per stream it reads."""

    event_type: EventType
    group: str
    consumer: str
    token: str
    """Unique to this consumer instance: the value of its leases."""
    idle_timeout_ms: int
    max_deliveries: int
    idempotency_window_ms: int


@dataclass(frozen=True, slots=True)
class Begun:
    """The reply of a batch's begin call: the events to handle, the ones handled before, the ones leased elsewhere."""

    leased: list[Work]
    duplicates: int
    busy: int


@dataclass(eq=False)
class Batch:
    """One batch of one stream through the protocol, the steps of src/redis/consumer-core.ts:

    1. ``dead_letters``: entries that cannot be handled, each copied and acked atomically;
    2. ``begin_call()`` once, ``begun(reply)``: the events to hand to the handler;
    3. while handlers run, ``extend_call()`` every third of the idle timeout;
    4. ``succeeded(works)`` for the handlers that finished together, or ``failed(work, error)``: sent at
       once, their replies read by the end of the batch.
    """

    settings: CoreSettings
    entries: Sequence[StreamEntry]
    from_stream: str | None = None
    """The stream the entries came from: the event type's (default) or the group's retry stream."""
    dead_letters: list[DeadLetter] = field(init=False)
    _works: list[Work] = field(init=False)
    _unsettled: dict[int, Work] = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        main = EVENT_STREAM_KEYS[s.event_type]
        self.stream = self.from_stream or main
        self.dead_letters, self._works, self._unsettled = [], [], {}
        by_event_id: dict[str, Work] = {}
        for entry in self.entries:
            decision = decide_entry(s.event_type, entry, s.max_deliveries)
            if decision.event is None:
                reason = decision.reason or "invalid"
                self.dead_letters.append(
                    DeadLetter(entry, reason, self._dead_letter_call(entry, reason, decision.errors))
                )
                continue
            event_id = decision.event["eventId"]
            if event_id in by_event_id:
                by_event_id[event_id].entry_ids.append(entry.id)
                continue
            work = Work(decision.event, entry, [entry.id], handled_key(main, s.group, event_id))
            by_event_id[event_id] = work
            self._works.append(work)

    def begin_call(self) -> ScriptCall | None:
        if not self._works:
            return None
        s = self.settings
        keys = (self.stream, *(w.key for w in self._works))
        return ScriptCall("begin", keys, (s.group, s.token, str(s.idle_timeout_ms), *_id_list(self._works)))

    def begun(self, reply: Any) -> Begun:
        states = [_text(v) for v in reply] if isinstance(reply, list) else []
        leased: list[Work] = []
        duplicates = busy = 0
        for i, work in enumerate(self._works):
            state = states[i] if i < len(states) else None
            if state == "leased":  # its other entries in this batch are acked with it: duplicates
                leased.append(work)
                self._unsettled[id(work)] = work
                duplicates += len(work.entry_ids) - 1
            elif state == "done":
                duplicates += len(work.entry_ids)
            else:
                busy += 1
        return Begun(leased, duplicates, busy)

    def extend_call(self) -> ScriptCall | None:
        if not self._unsettled:
            return None
        s = self.settings
        works = list(self._unsettled.values())
        keys = (self.stream, *(w.key for w in works))
        args = (s.group, s.consumer, s.token, str(s.idle_timeout_ms), *_id_list(works))
        return ScriptCall("extend", keys, args)

    def extended(self, call: ScriptCall, reply: Any) -> list[Work]:
        """The events whose lease was lost, from the reply of ``call``."""
        flags = {
            key: int(flag) for key, flag in zip(call.keys[1:], reply if isinstance(reply, list) else [], strict=False)
        }
        return [w for w in self._unsettled.values() if flags.get(w.key) == 0]

    def succeeded(self, works: Sequence[Work]) -> ScriptCall:
        """Done marks and XACKs of events whose handlers finished together, in one script call."""
        for work in works:
            self._unsettled.pop(id(work), None)
        s = self.settings
        keys = (self.stream, *(w.key for w in works))
        return ScriptCall("commit", keys, (s.group, str(s.idempotency_window_ms), *_id_list(works)))

    def failed(self, work: Work, error: str) -> tuple[ScriptCall, bool]:
        """Release for a retry, or (on the last delivery) dead-letter; the flag says which."""
        s = self.settings
        if work.entry.deliveries < s.max_deliveries:
            return self.abandoned(work), False
        self._unsettled.pop(id(work), None)
        errors = handler_failure(work.entry.deliveries, s.max_deliveries, error)
        return self._dead_letter_call(work.entry, "max-deliveries", errors, work.key), True

    def abandoned(self, work: Work) -> ScriptCall:
        """Stopping before this event's handler started (or it failed): release its lease."""
        self._unsettled.pop(id(work), None)
        return ScriptCall("release", (work.key,), (self.settings.token,))

    def _dead_letter_call(
        self, entry: StreamEntry, reason: str, errors: Sequence[dict[str, Any]], key: str | None = None
    ) -> ScriptCall:
        s = self.settings
        fields = dead_letter_fields(entry, event_type=s.event_type, group=s.group, reason=reason, errors=errors)
        keys = (self.stream, EVENT_DEAD_LETTER_KEYS[s.event_type], *((key,) if key else ()))
        return ScriptCall("deadLetter", keys, (s.group, s.token, entry.id, *fields))


def _id_list(works: Sequence[Work]) -> list[str]:
    return [item for w in works for item in (str(len(w.entry_ids)), *w.entry_ids)]


def claim_call(settings: CoreSettings, start: str, count: int, from_stream: str | None = None) -> ScriptCall:
    """XAUTOCLAIM plus each entry's delivery count, in one script call."""
    s = settings
    args = (s.group, s.consumer, str(s.idle_timeout_ms), start, str(count))
    return ScriptCall("claim", (from_stream or EVENT_STREAM_KEYS[s.event_type],), args)


def claimed(reply: Any) -> tuple[str, list[StreamEntry], list[str]]:
    """(next start id, entries now owned with their delivery counts, ids of pending entries trimmed away)."""
    r = reply if isinstance(reply, list) else []
    rows = r[1] if len(r) > 1 and isinstance(r[1], list) else []
    counts = r[3] if len(r) > 3 and isinstance(r[3], list) else []
    entries = [
        StreamEntry(_text(row[0]), list(row[1]), int(counts[i]) if i < len(counts) else 1)
        for i, row in enumerate(rows)
        if isinstance(row, list) and len(row) == 2 and isinstance(row[1], list)
    ]
    trimmed = [_text(i) for i in r[2]] if len(r) > 2 and isinstance(r[2], list) else []
    return (_text(r[0]) if r else "0-0"), entries, trimmed


def read_entries(reply: Any) -> dict[str, list[StreamEntry]]:
    """The entries of an XREADGROUP reply by stream (RESP2 list or RESP3 map; None on a timeout)."""
    pairs = reply.items() if isinstance(reply, dict) else (reply or [])
    out: dict[str, list[StreamEntry]] = {}
    for stream, rows in pairs:
        out[_text(stream)] = [
            StreamEntry(_text(row[0]), list(row[1]), 1)
            for row in rows or []
            if isinstance(row, list | tuple) and len(row) == 2 and isinstance(row[1], list)
        ]
    return out
