"""The shared vectors (test/vectors/*.json) through the Python API and through jsonschema.

The TypeScript suite runs the very same files through validateEnvelope; every verdict must agree.
jsonschema (with referencing, no network) is the reference implementation: an independent
validator, and an independent implementation of the consumer-mode rule.
"""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from support import load_schemas, load_vectors

from goodgo_contracts_events import EVENT_LIFECYCLE, EVENT_TYPES, EventType, Lifecycle, Mode, validate_envelope

VECTORS = load_vectors()
SCHEMAS = load_schemas()
ENVELOPE_ID = "https://schemas.goodgo.dev/contracts-events/envelope.schema.json"
EVENT_ID = "https://schemas.goodgo.dev/contracts-events/events/{}.schema.json"


def tolerant(node: Any) -> Any:
    """Consumer mode, written again here: every additionalProperties: false dropped."""
    if isinstance(node, dict):
        return {k: tolerant(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [tolerant(v) for v in node]
    return node


def registry(mode: str) -> Registry[Any]:
    schemas = SCHEMAS if mode == "producer" else [tolerant(copy.deepcopy(s)) for s in SCHEMAS]
    return Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT7)) for s in schemas
    )


REGISTRIES = {mode: registry(mode) for mode in ("producer", "consumer")}


def is_valid(schema_id: str, data: Any, mode: str) -> bool:
    reg = REGISTRIES[mode]
    return bool(Draft7Validator(reg[schema_id].contents, registry=reg).is_valid(data))


def reference_verdict(data: Any, mode: str, lifecycle: str) -> bool:
    event_type = data.get("eventType") if isinstance(data, dict) else None
    known = isinstance(event_type, str) and event_type in EVENT_TYPES
    if known and is_valid(EVENT_ID.format(event_type), data, mode):
        return True
    if known:
        # A type not enforced yet: consumers take the envelope and warn about the payload.
        not_enforced = EVENT_LIFECYCLE[cast(EventType, event_type)] in ("draft", "dual-publish")
        tolerated = mode == "consumer" and lifecycle == "contract" and not_enforced
        return tolerated and is_valid(ENVELOPE_ID, data, mode)
    # Unknown types: the envelope alone, and producers may only send known types.
    return mode == "consumer" and is_valid(ENVELOPE_ID, data, mode)


counts = {"python": 0, "jsonschema": 0}


@pytest.mark.parametrize(
    ("file", "group", "mode", "case"), VECTORS, ids=[f"{f}:{g}:{c['description']}" for f, g, _, c in VECTORS]
)
def test_python_api_agrees(file: str, group: str, mode: str, case: dict[str, Any]) -> None:
    result = validate_envelope(case["data"], cast(Mode, mode), cast(Lifecycle, case["lifecycle"]))
    counts["python"] += 1
    assert result.ok is case["valid"], result.errors
    if result.ok and "known" in case:
        assert result.known is case["known"]
    if result.ok:
        warned = {(w.path, w.keyword) for w in result.warnings}
        expected_warnings = {(w["instancePath"], w["keyword"]) for w in case.get("warnings", [])}
        assert expected_warnings <= warned
        assert bool(warned) is bool(expected_warnings)
    if not result.ok:
        reported = {(e.path, e.keyword) for e in result.errors}
        for expected in case.get("errors", []):
            assert (expected["instancePath"], expected["keyword"]) in reported, f"{expected} not in {reported}"


@pytest.mark.parametrize(
    ("file", "group", "mode", "case"), VECTORS, ids=[f"{f}:{g}:{c['description']}" for f, g, _, c in VECTORS]
)
def test_jsonschema_reference_agrees(file: str, group: str, mode: str, case: dict[str, Any]) -> None:
    counts["jsonschema"] += 1
    assert reference_verdict(case["data"], mode, case["lifecycle"]) is case["valid"]


def test_there_are_enough_vectors() -> None:
    assert len(VECTORS) >= 150
