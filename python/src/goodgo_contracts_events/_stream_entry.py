"""The Redis Streams wire format and the decisions a consumer makes on an entry: pure, no Redis.

Shared by the blocking and the asyncio consumers, and the same rules as src/consume-events.ts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._contract_data import EVENT_STREAM_KEYS, STREAM_ENTRY_FIELD, EventType
from ._errors import ValidationIssue
from ._validate import ValidationResult, safe_parse_envelope
from .models import EventEnvelope, KnownEvent


def to_stream_fields(envelope: KnownEvent | EventEnvelope | Mapping[str, object]) -> dict[str, str]:
    """The fields of the stream entry that carries an event: the envelope as UTF-8 JSON in ``envelope``.

    >>> to_stream_fields({"schemaVersion": 1})
    {'envelope': '{"schemaVersion":1}'}
    """
    return {STREAM_ENTRY_FIELD: json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else value


def from_stream_fields(fields: Mapping[bytes, bytes] | Mapping[str, str] | Mapping[Any, Any]) -> ValidationResult:
    """Decode and validate the event in an entry's fields (consumer mode); other fields are ignored. Never raises."""
    for name, value in fields.items():
        if _text(name) == STREAM_ENTRY_FIELD:
            return safe_parse_envelope(value)
    return ValidationResult(
        ok=False,
        event=None,
        known=False,
        errors=(
            ValidationIssue(
                path="", keyword="required", message=f'the stream entry has no "{STREAM_ENTRY_FIELD}" field'
            ),
        ),
    )


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """What a handler learns besides the event: where it came from, how often it was delivered, its trace."""

    stream: str
    entry_id: str
    delivery_count: int
    trace_id: str | None
    """The event's OpenTelemetry trace id, to link the handler's span; None when it has none."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one entry: handle ``event``, or dead-letter it with ``reason`` and ``errors``."""

    event: KnownEvent | None
    reason: str | None = None
    errors: tuple[Any, ...] = ()


def decide(event_type: EventType, fields: Mapping[Any, Any], deliveries: int, max_deliveries: int) -> Decision:
    """Handle it, or dead-letter it: too many deliveries, invalid, on the wrong stream, or a payload
    that fails its schema (a type not enforced yet: the consumer cannot use it, but must not lose it)."""
    if deliveries > max_deliveries:
        return Decision(None, "max-deliveries", ({"message": f"still failing after {deliveries - 1} deliveries"},))
    result = from_stream_fields(fields)
    if not result.ok or result.event is None:
        return Decision(None, "invalid", tuple(_issue(e) for e in result.errors))
    if result.event["eventType"] != event_type:
        wrong = {
            "instancePath": "/eventType",
            "message": f'is "{result.event["eventType"]}" on the stream of {event_type}',
        }
        return Decision(None, "wrong-stream", (wrong,))
    if not result.known:
        return Decision(None, "payload-invalid", tuple(_issue(w) for w in result.warnings))
    return Decision(result.known_event)


def _issue(issue: ValidationIssue) -> dict[str, Any]:
    return {"instancePath": issue.path, "keyword": issue.keyword, "params": issue.params, "message": issue.message}


def dead_letter_fields(
    fields: Mapping[Any, Any], *, stream: str, entry_id: str, reason: str, errors: Sequence[Any], deliveries: int
) -> dict[Any, Any]:
    """The dead-letter entry: the original fields untouched, plus deadLetter.* saying why."""
    return {
        **dict(fields),
        "deadLetter.stream": stream,
        "deadLetter.id": entry_id,
        "deadLetter.reason": reason,
        "deadLetter.errors": json.dumps(list(errors), ensure_ascii=False),
        "deadLetter.deliveries": str(deliveries),
    }


def stream_of(event_type: EventType) -> str:
    return EVENT_STREAM_KEYS[event_type]


def entries_of(reply: Any) -> list[tuple[str, dict[Any, Any]]]:
    """The entries of an XREADGROUP or XAUTOCLAIM reply as redis-py parses them (RESP2 or RESP3)."""
    out: list[tuple[str, dict[Any, Any]]] = []
    if isinstance(reply, dict):  # RESP3 XREADGROUP: {stream: [[id, fields], ...]}
        streams: list[Any] = [entries for entries in reply.values()]
    elif isinstance(reply, list):  # RESP2 XREADGROUP: [[stream, [[id, fields], ...]], ...]
        streams = [s[1] for s in reply if isinstance(s, list | tuple) and len(s) == 2]
    else:
        return out
    for entries in streams:
        for entry in entries or []:
            if isinstance(entry, list | tuple) and len(entry) == 2 and entry[1] is not None:
                out.append((_text(entry[0]), dict(entry[1])))
    return out
