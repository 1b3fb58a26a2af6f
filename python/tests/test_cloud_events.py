"""CloudEvents 1.0 (structured JSON): every valid shared vector round-trips exactly through our functions,
and through the official Python SDK (which reads ``time`` into a datetime: equal as an instant, to the µs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from cloudevents.core.formats.json import JSONFormat
from hypothesis import given, settings
from hypothesis import strategies as st
from support import load_vectors

from goodgo_contracts_events import (
    CLOUD_EVENT_SOURCE_PREFIX,
    EVENT_PAYLOAD_SCHEMA_IDS,
    EventValidationError,
    from_cloud_event,
    safe_from_cloud_event,
    to_cloud_event,
)

VALID = [c for _, _, _, c in load_vectors() if c["valid"]]
IDS = [c["description"] for c in VALID]


def instant(time: str, digits: int) -> tuple[datetime, Decimal]:
    """An RFC 3339 UTC time as its second and its fraction truncated to ``digits`` digits."""
    whole, _, fraction = time.removesuffix("Z").partition(".")
    second = datetime.fromisoformat(whole).replace(tzinfo=UTC)
    return second, Decimal("0." + (fraction or "0")[:digits].ljust(digits, "0"))


def test_covers_every_valid_vector() -> None:
    assert len(VALID) >= 50


@pytest.mark.parametrize("case", VALID, ids=IDS)
def test_round_trips_exactly(case: dict[str, Any]) -> None:
    event = case["data"]
    ce = to_cloud_event(event)
    assert ce["specversion"] == "1.0"
    assert ce["id"] == event["eventId"]
    assert ce["source"] == CLOUD_EVENT_SOURCE_PREFIX + event["producer"]
    assert (ce["traceid"], ce["schemaversion"], ce["time"]) == (event["traceId"], 1, event["occurredAt"])
    assert from_cloud_event(ce) == event
    text = json.dumps(ce)
    assert to_cloud_event(from_cloud_event(json.loads(text))) == json.loads(text)


@pytest.mark.parametrize("case", VALID, ids=IDS)
def test_goes_through_the_official_sdk(case: dict[str, Any]) -> None:
    event = case["data"]
    fmt = JSONFormat()
    sdk_event = fmt.read(None, json.dumps(to_cloud_event(event)).encode())  # the SDK validates the attributes
    back = from_cloud_event(json.loads(fmt.write(sdk_event)))
    sent = event["occurredAt"]
    assert {k: v for k, v in back.items() if k != "occurredAt"} == {k: v for k, v in event.items() if k != "occurredAt"}
    assert instant(back["occurredAt"], 6) == instant(sent, 6)


def test_names_the_payload_schema_and_leaves_it_out_for_an_unknown_type() -> None:
    known = next(c["data"] for c in VALID if c["data"]["eventType"] == "payment.completed")
    assert to_cloud_event(known)["dataschema"] == EVENT_PAYLOAD_SCHEMA_IDS["payment.completed"]
    unknown = next(c["data"] for c in VALID if c["data"]["eventType"] not in EVENT_PAYLOAD_SCHEMA_IDS)
    assert "dataschema" not in to_cloud_event(unknown)


GOOD = to_cloud_event(next(c["data"] for c in VALID if c["data"]["eventType"] == "payment.completed"))


@pytest.mark.parametrize(
    ("ce", "expected"),
    [
        ("payment.completed", [" must be a CloudEvent: a JSON object (structured JSON format)"]),
        ({**GOOD, "specversion": "0.3"}, ['/specversion must be "1.0" (CloudEvents 1.0), not "0.3"']),
        (
            {**GOOD, "data_base64": "AAAA"},
            ["/data_base64 binary data is not an event payload: send the payload as JSON in data"],
        ),
        (
            {**GOOD, "source": "https://example.com/x"},
            ['/source must be urn:goodgo:producer:<producer>, not "https://example.com/x"'],
        ),
        ({k: v for k, v in GOOD.items() if k != "id"}, [" must have required attribute 'id'"]),
        ({**GOOD, "data": {**GOOD["data"], "amount": 0}}, ["/data/amount must be >= 1"]),
    ],
    ids=["not an object", "specversion", "binary data", "foreign source", "no id", "bad payload"],
)
def test_refuses_bad_input_naming_the_attribute(ce: object, expected: list[str]) -> None:
    result = safe_from_cloud_event(ce, lifecycle="enforce-all")
    assert [f"{e.path} {e.message}" for e in result.errors] == expected
    with pytest.raises(EventValidationError):
        from_cloud_event(ce, lifecycle="enforce-all")


def test_a_foreign_extension_is_taken_by_consumers_and_refused_by_producers() -> None:
    assert safe_from_cloud_event({**GOOD, "partitionkey": "x"}).ok
    errors = safe_from_cloud_event({**GOOD, "partitionkey": "x"}, "producer").errors
    assert [f"{e.path} {e.message}" for e in errors] == [
        "/partitionkey is an attribute the envelope has no place for (producer mode)"
    ]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        JSON_VALUES, st.dictionaries(st.sampled_from(sorted(GOOD)) | st.text(max_size=8), JSON_VALUES, max_size=10)
    ),
    st.sampled_from(["producer", "consumer"]),
)
def test_never_raises(ce: object, mode: Any) -> None:
    assert isinstance(safe_from_cloud_event(ce, mode).ok, bool)
