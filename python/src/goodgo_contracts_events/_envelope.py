"""create_envelope: the same defaults and checks as createEnvelope in src/envelope.ts."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, cast

from ._errors import EventValidationError
from ._generated.contract_data import EventType
from ._trace_context import active_trace_id
from ._uuid_v7 import uuidv7
from ._validate import validate_envelope

if TYPE_CHECKING:  # the models module grows with the contract: imported by type checkers only
    from .models import KnownEvent

EVENT_ENVELOPE_SCHEMA_VERSION: Final = 1
"""The envelope version this package reads and writes."""

NO_TRACE_ID: Final = "0" * 32
"""The all-zero trace id: produced outside any trace (W3C Trace Context treats it as invalid)."""


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds and ``Z``, as JavaScript's ``toISOString()`` writes it.

    Raises ``ValueError`` for a naive datetime: which zone it means cannot be known.

    >>> from datetime import timezone, timedelta
    >>> format_timestamp(datetime(2026, 11, 27, 16, 11, 45, 120999, tzinfo=timezone(timedelta(hours=7))))
    '2026-11-27T09:11:45.120Z'
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"occurred_at must be timezone-aware (e.g. datetime.now(timezone.utc)), got naive {moment.isoformat()}"
        )
    u = moment.astimezone(UTC)
    # Field by field: strftime's %Y writes year 999 as "999" on glibc, RFC 3339 needs "0999".
    date = f"{u.year:04d}-{u.month:02d}-{u.day:02d}"
    return f"{date}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond // 1000:03d}Z"


def _now() -> str:
    ms = time.time_ns() // 1_000_000
    return format_timestamp(datetime.fromtimestamp(ms / 1000, UTC).replace(microsecond=(ms % 1000) * 1000))


def create_envelope(
    event_type: EventType,
    payload: Mapping[str, object],
    *,
    producer: str,
    trace_id: str | None = None,
    occurred_at: datetime | str | None = None,
    event_id: str | None = None,
) -> KnownEvent:
    """Build a complete envelope for a known event type and validate it in producer mode.

    Fills ``eventId`` (a new UUIDv7), ``occurredAt`` (now, milliseconds, ``Z``; a datetime must be
    timezone-aware and is converted to UTC) and ``traceId`` (the active OpenTelemetry span's when
    opentelemetry-api is installed and a span is active, else zeros). Raises ``EventValidationError``
    (a ``ValueError``) with every problem for an unknown type, an invalid or unknown field.

    >>> event = create_envelope("kyc.verified", {"userId": "usr_1", "verificationId": "kyc_1",
    ...     "level": "basic", "provider": "onfido", "verifiedAt": "2026-11-27T09:15:01.980Z"},
    ...     producer="kyc-service")
    >>> event["eventType"], event["traceId"] == NO_TRACE_ID
    ('kyc.verified', True)
    """
    envelope = {
        "schemaVersion": EVENT_ENVELOPE_SCHEMA_VERSION,
        "eventId": event_id if event_id is not None else uuidv7(),
        "eventType": event_type,
        "occurredAt": _now()
        if occurred_at is None
        else format_timestamp(occurred_at)
        if isinstance(occurred_at, datetime)
        else occurred_at,
        "producer": producer,
        "traceId": trace_id if trace_id is not None else active_trace_id() or NO_TRACE_ID,
        "payload": dict(payload) if isinstance(payload, Mapping) else payload,
    }
    result = validate_envelope(envelope, "producer")
    if not result.ok:
        raise EventValidationError(result.errors)
    return cast("KnownEvent", envelope)
