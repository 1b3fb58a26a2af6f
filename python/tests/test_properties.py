"""Property tests (hypothesis): arbitrary JSON never raises and is never accepted; valid events always are."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from goodgo_contracts_events import create_envelope, format_timestamp, safe_parse_envelope, uuidv7, validate_envelope

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
modes = st.sampled_from(["producer", "consumer"])


@settings(max_examples=2000, deadline=None)
@given(json_values, modes)
def test_arbitrary_json_never_raises_and_is_never_accepted(value: Any, mode: Any) -> None:
    result = validate_envelope(value, mode)
    assert not result.ok
    assert result.errors


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200), modes)
def test_arbitrary_bytes_and_text_never_raise(raw: bytes | str, mode: Any) -> None:
    assert not safe_parse_envelope(raw, mode).ok


ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", fullmatch=True)
moments = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59), timezones=st.just(UTC)
)


@st.composite
def payment_payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "paymentId": draw(ids),
        "orderId": draw(ids),
        "amount": draw(st.integers(min_value=1, max_value=2**53 - 1)),
        "currency": draw(st.from_regex(r"[A-Z]{3}", fullmatch=True)),
        "gateway": draw(st.sampled_from(["stripe", "adyen", "paypal", "momo", "vnpay", "zalopay"])),
        "method": draw(st.sampled_from(["card", "bank_transfer", "e_wallet", "qr_code"])),
        "completedAt": format_timestamp(draw(moments)),
    }
    if draw(st.booleans()):
        payload["gatewayReference"] = draw(st.text(min_size=1, max_size=128))
    return payload


@settings(max_examples=1000, deadline=None)
@given(payment_payloads(), moments, modes)
def test_valid_generated_events_are_always_accepted(payload: dict[str, Any], moment: datetime, mode: Any) -> None:
    event = create_envelope(
        "payment.completed", payload, producer="payments-service", occurred_at=moment, event_id=uuidv7()
    )
    assert validate_envelope(event, mode).ok
    assert safe_parse_envelope(json.dumps(event), mode).ok
