"""The generated models: every valid shared vector loads; the models refuse what the schemas refuse."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError
from support import load_vectors

from goodgo_contracts_events import EVENT_TYPES, validate_envelope
from goodgo_contracts_events.pydantic_models import KnownEvent, PaymentCompletedEvent

VECTORS = load_vectors()


def known_type(data: Any) -> bool:
    return isinstance(data, dict) and data.get("eventType") in EVENT_TYPES


# Valid and of a known type, checked against its schema (not accepted unchecked under x-lifecycle).
VALID = [c for _, _, _, c in VECTORS if c["valid"] and known_type(c["data"]) and c.get("known", True)]
# Consumer-mode rejections of a known type: what a consumer's model must refuse too. (Producer-only
# rejections are unknown fields, which the models keep, as consumers do.)
INVALID = [c for _, _, mode, c in VECTORS if mode == "consumer" and not c["valid"] and known_type(c["data"])]


@pytest.mark.parametrize("case", VALID, ids=[c["description"] for c in VALID])
def test_every_valid_vector_loads_into_the_pydantic_model(case: dict[str, Any]) -> None:
    # Through JSON, as events arrive: json.loads gives 1.0 for "1.0", which is still the integer 1.
    data = json.loads(json.dumps(case["data"]))
    model = KnownEvent.model_validate(data).root
    assert model.eventType == data["eventType"]
    dumped = model.model_dump(mode="json", exclude_unset=True)
    assert validate_envelope(dumped).ok, "the model's dump must itself be a valid event"


@pytest.mark.parametrize("case", INVALID, ids=[c["description"] for c in INVALID])
def test_the_model_refuses_what_the_schema_refuses(case: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        KnownEvent.model_validate(json.loads(json.dumps(case["data"])))


@pytest.mark.parametrize(
    ("value", "ok"), [(1, True), (1.0, True), ("1", False), (True, False), (1.5, False), (0, False)]
)
def test_integers_follow_json_schema_not_pydantic_coercion(value: object, ok: bool) -> None:
    event = next(c["data"] for c in VALID if c["data"]["eventType"] == "payment.completed")
    data = {**event, "payload": {**event["payload"], "amount": value}}
    assert validate_envelope(data, "consumer", "enforce-all").ok is ok
    if ok:
        assert PaymentCompletedEvent.model_validate(data).payload.amount == 1
    else:
        with pytest.raises(ValidationError):
            PaymentCompletedEvent.model_validate(data)


def test_unknown_fields_are_kept_nothing_is_lost() -> None:
    event = next(c["data"] for c in VALID if c["data"]["eventType"] == "payment.completed")
    data = {**event, "partition": 7, "payload": {**event["payload"], "riskScore": 0.2}}
    dumped = PaymentCompletedEvent.model_validate(data).model_dump(mode="json")
    assert dumped["partition"] == 7
    assert dumped["payload"]["riskScore"] == 0.2
