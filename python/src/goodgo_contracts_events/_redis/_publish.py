"""What both Python producers share: the bytes of an event, validated as they will be sent."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .._errors import EventValidationError, ValidationIssue
from .._generated.contract_data import EVENT_STREAM_KEYS, STREAM_ENTRY_FIELD, EventType
from .._validate import safe_parse_envelope

XAdd = tuple[str, dict[str, bytes], dict[str, Any]]


def _refuse(index: int | None, keyword: str, message: str) -> EventValidationError:
    return EventValidationError((ValidationIssue("" if index is None else f"/{index}", keyword, message),))


def encode_event(envelope: Mapping[str, object], index: int | None = None) -> tuple[str, bytes]:
    """The stream and the exact bytes to XADD, validated in producer mode *as those bytes*.

    Validating the bytes, not the object, means what is sent is what was checked: a mapping that
    serializes differently from how it reads, or a lone surrogate that UTF-8 cannot carry, is refused.
    """
    try:
        text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise _refuse(index, "json", f"cannot be written as JSON: {e}") from None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:
        message = (
            f"contains a lone surrogate ({text[e.start]!r}) at character {e.start} of its JSON: "
            "it is not Unicode text and cannot be sent as UTF-8; fix the string that holds it"
        )
        raise _refuse(index, "encoding", message) from None
    result = safe_parse_envelope(data, "producer")
    if not result.ok or result.event is None:
        prefix = "" if index is None else f"/{index}"
        raise EventValidationError(
            tuple(ValidationIssue(prefix + e.path, e.keyword, e.message, e.params) for e in result.errors)
        )
    return EVENT_STREAM_KEYS[cast(EventType, result.event["eventType"])], data


def xadd_args(envelope: Mapping[str, object], max_len: int | None, index: int | None = None) -> XAdd:
    key, data = encode_event(envelope, index)
    trim: dict[str, Any] = {} if max_len is None else {"maxlen": max_len, "approximate": True}
    return key, {STREAM_ENTRY_FIELD: data}, trim


def xadd_batch(envelopes: Sequence[Mapping[str, object]], max_len: int | None) -> list[XAdd]:
    """The XADDs of a batch, every event validated first: raises with all problems, each at /<index>."""
    problems: list[ValidationIssue] = []
    commands = []
    for i, envelope in enumerate(envelopes):
        try:
            commands.append(xadd_args(envelope, max_len, i))
        except EventValidationError as e:
            problems.extend(e.errors)
    if problems:
        raise EventValidationError(tuple(problems))
    return commands


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
