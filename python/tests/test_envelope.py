"""create_envelope and parse_envelope: the same defaults and errors as TypeScript."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from goodgo_contracts_events import (
    NO_TRACE_ID,
    EventValidationError,
    create_envelope,
    format_timestamp,
    is_uuidv7,
    parse_envelope,
    safe_parse_envelope,
    validate_envelope,
)

PAYMENT = {
    "paymentId": "pay_01JDQ7ZK3M8V",
    "orderId": "ord_9f8e7d6c",
    "amount": 1250000,
    "currency": "VND",
    "gateway": "stripe",
    "method": "card",
    "completedAt": "2026-11-27T09:11:44.903Z",
}


def test_fills_the_defaults() -> None:
    event = create_envelope("payment.completed", PAYMENT, producer="payments-service")
    assert list(event) == ["schemaVersion", "eventId", "eventType", "occurredAt", "producer", "traceId", "payload"]
    assert event["schemaVersion"] == 1
    assert is_uuidv7(event["eventId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["occurredAt"])
    assert event["traceId"] == NO_TRACE_ID
    assert validate_envelope(event, "producer").ok


def test_converts_an_aware_datetime_to_utc_milliseconds_z() -> None:
    moment = datetime(2028, 2, 29, 19, 0, 0, 7999, tzinfo=timezone(timedelta(hours=7)))
    event = create_envelope("payment.completed", PAYMENT, producer="api", occurred_at=moment)
    assert event["occurredAt"] == "2028-02-29T12:00:00.007Z"


def test_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        create_envelope("payment.completed", PAYMENT, producer="api", occurred_at=datetime(2026, 1, 1))


def test_refuses_plus_zero_offset_strings() -> None:
    # The classic silent failure: datetime.isoformat() writes +00:00, which the contract refuses.
    with pytest.raises(EventValidationError, match="/occurredAt"):
        create_envelope("payment.completed", PAYMENT, producer="api", occurred_at=datetime.now(UTC).isoformat())


def test_raises_a_value_error_with_every_problem() -> None:
    with pytest.raises(EventValidationError) as caught:
        create_envelope(
            "payment.completed", {**PAYMENT, "amount": 0, "currency": "vnd", "riskScore": 1}, producer="api"
        )
    assert isinstance(caught.value, ValueError)
    assert {(e.path, e.keyword) for e in caught.value.errors} == {
        ("/payload/amount", "minimum"),
        ("/payload/currency", "pattern"),
        ("/payload", "additionalProperties"),
    }


def test_refuses_an_unknown_event_type() -> None:
    with pytest.raises(EventValidationError, match="not in the contract"):
        create_envelope("fixture.never_defined", {}, producer="api")  # type: ignore[arg-type]


def test_messages_match_the_typescript_ones() -> None:
    result = validate_envelope({**create_envelope("payment.completed", PAYMENT, producer="api"), "traceId": "X"})
    assert [e.message for e in result.errors] == ['must be a valid TraceId, e.g. "4bf92f3577b34da6a3ce929d0e0e4736"']


def test_parse_accepts_str_bytes_and_a_bom_and_refuses_other_encodings() -> None:
    event = create_envelope("payment.completed", PAYMENT, producer="api")
    text = json.dumps(event)
    assert parse_envelope(text) == event
    assert parse_envelope(text.encode()) == event
    assert parse_envelope(b"\xef\xbb\xbf" + text.encode()) == event
    assert safe_parse_envelope(text.encode("utf-16")).errors[0].keyword == "encoding"


def test_parse_refuses_nan_and_infinity_which_json_does_not_have() -> None:
    for literal in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(create_envelope("payment.completed", PAYMENT, producer="api")).replace("1250000", literal)
        assert safe_parse_envelope(text).errors[0].keyword == "json"


def test_parse_never_raises_on_deep_nesting() -> None:
    result = safe_parse_envelope("[" * 100_000 + "]" * 100_000)
    assert not result.ok


def test_parse_envelope_raises_event_validation_error() -> None:
    with pytest.raises(EventValidationError, match=r'\(root\) must have required property "eventId"'):
        parse_envelope(b'{"schemaVersion": 1}')


def test_format_timestamp_pads_years_below_1000() -> None:
    # Regression (found by hypothesis): strftime's %Y wrote "999", which the contract refuses.
    assert format_timestamp(datetime(999, 1, 1, tzinfo=UTC)) == "0999-01-01T00:00:00.000Z"


def test_the_package_says_its_version() -> None:
    import goodgo_contracts_events

    assert goodgo_contracts_events.__version__ == tomllib_version()


def tomllib_version() -> str:
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    version: str = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    return version
