"""The Redis Streams entry codec: pure, no Redis. The same rules as src/redis/stream-codec.ts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import ValidationIssue
from .._generated.contract_data import STREAM_ENTRY_FIELD
from .._validate import ValidationResult, safe_parse_envelope

_FIELD = STREAM_ENTRY_FIELD.encode()


def _name(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")


def from_stream_fields(
    fields: Mapping[bytes, bytes] | Mapping[str, str] | Mapping[Any, Any] | Sequence[Any],
) -> ValidationResult:
    """Decode and validate the event in an entry's fields (consumer mode); other fields are ignored. Never raises.

    ``fields`` is a mapping, or the flat ``[name, value, name, value, ...]`` list Redis stores.
    """
    pairs = fields.items() if isinstance(fields, Mapping) else zip(fields[0::2], fields[1::2], strict=False)
    for name, value in pairs:
        if _name(name) == _FIELD:
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


def to_stream_fields(envelope: Mapping[str, object]) -> dict[str, str]:
    """The fields of the stream entry that carries an event: the envelope as UTF-8 JSON in ``envelope``.

    >>> to_stream_fields({"schemaVersion": 1})
    {'envelope': '{"schemaVersion":1}'}
    """
    return {STREAM_ENTRY_FIELD: json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))}
