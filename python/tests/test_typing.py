"""Type-level tests: mypy --strict (run on tests/ in CI) checks these assert_type calls."""

from __future__ import annotations

from typing import Literal, assert_type

from goodgo_contracts_events import EventType, KnownEvent, create_envelope, safe_parse_envelope, validate_envelope
from goodgo_contracts_events.models import KycLevel, PaymentCompletedPayload


def amount_or_level(event: KnownEvent) -> int | str:
    # A TypedDict union narrows on its Literal eventType.
    if event["eventType"] == "payment.completed":
        assert_type(event["payload"], PaymentCompletedPayload)
        return event["payload"]["amount"]
    if event["eventType"] == "kyc.verified":
        assert_type(event["payload"]["level"], KycLevel)
        return event["payload"]["level"]
    if event["eventType"] == "listing.approved":
        assert_type(event["eventType"], Literal["listing.approved"])
        return event["payload"]["moderator"]["kind"]
    # The other types of the contract, whatever they are: each is an EventType.
    other: EventType = event["eventType"]
    return other


def amount_of(raw: bytes) -> int | None:
    # The README's consumer example: known_event is typed, so eventType narrows the payload.
    event = safe_parse_envelope(raw).known_event
    if event is not None and event["eventType"] == "payment.completed":
        assert_type(event["payload"]["amount"], int)
        return event["payload"]["amount"]
    return None


def test_narrowing_at_run_time_too() -> None:
    event = create_envelope(
        "kyc.verified",
        {
            "userId": "usr_1",
            "verificationId": "kyc_1",
            "level": "enhanced",
            "provider": "onfido",
            "verifiedAt": "2026-11-27T09:15:01.980Z",
        },
        producer="kyc-service",
    )
    assert amount_or_level(event) == "enhanced"
    result = validate_envelope(event)
    assert result.ok
    assert result.known
    assert result.known_event is event
    assert amount_of(b"{}") is None
