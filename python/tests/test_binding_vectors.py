"""The binding vectors (test/vectors/redis-binding/decisions.json) through the Python core: the same
decisions and dead-letter entries as test/binding-vectors.test.ts gets from the TypeScript core."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import VECTORS_DIR, contract_example

from goodgo_contracts_events._generated.contract_data import EVENT_LIFECYCLE, EVENT_STREAM_KEYS, EVENT_TYPES
from goodgo_contracts_events._generated.redis_protocol import REDIS_PROTOCOL
from goodgo_contracts_events._redis._core import StreamEntry, dead_letter_fields, decide_entry

VECTORS: dict[str, Any] = json.loads((VECTORS_DIR / "redis-binding" / "decisions.json").read_text(encoding="utf-8"))
OWN = EVENT_TYPES[0]
OTHER = EVENT_TYPES[1] if len(EVENT_TYPES) > 1 else EVENT_TYPES[0]


def value_bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if "hex" in value:
        return bytes.fromhex(str(value["hex"]))
    if "times" in value:
        return (str(value["text"]) * int(value["times"])).encode()
    envelope = contract_example(OWN if value["example"] == "own" else OTHER)
    for key, patched in value.get("patch", {}).items():  # null removes a field
        if patched is None:
            envelope.pop(key, None)
        else:
            envelope[key] = patched
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def expand(text: str) -> str:
    return text.replace("<own>", OWN).replace("<other>", OTHER).replace("<stream>", EVENT_STREAM_KEYS[OWN])


@pytest.mark.parametrize("case", VECTORS["tests"], ids=[t["description"] for t in VECTORS["tests"]])
def test_binding_vector(case: dict[str, Any]) -> None:
    entry = StreamEntry(
        case["entry"]["id"],
        [value_bytes(part) for pair in case["entry"]["fields"] for part in pair],
        case["entry"]["deliveries"],
    )
    decision = decide_entry(OWN, entry, VECTORS["maxDeliveries"])
    want = case["decision"]
    assert ("handle" if decision.event is not None else "dead-letter") == want["action"]
    if decision.event is not None:
        return
    enforced = EVENT_LIFECYCLE[OWN] not in ("draft", "dual-publish")
    assert decision.reason == (
        want.get("reasonWhenEnforced") if enforced and "reasonWhenEnforced" in want else want["reason"]
    )
    for error in want.get("errors", []):
        found = [
            e
            for e in decision.errors
            if e["instancePath"] == error["instancePath"] and e["keyword"] == error["keyword"]
        ]
        assert found, f"no {error} in {decision.errors}"
        if "message" in error:
            assert expand(error["message"]) in [e["message"] for e in found]
    if "deadLetter" not in case:
        return
    assert decision.reason is not None
    fields = dead_letter_fields(
        entry, event_type=OWN, group=VECTORS["group"], reason=decision.reason, errors=decision.errors
    )
    errors_json = json.dumps(list(decision.errors), ensure_ascii=False, separators=(",", ":")).encode()
    expected = [
        errors_json if v == "<errors>" else expand(v).encode() if isinstance(v, str) else value_bytes(v)
        for pair in case["deadLetter"]
        for v in (pair[0], pair[1])
    ]
    assert [f if isinstance(f, bytes) else f.encode() for f in fields] == expected
    assert REDIS_PROTOCOL["shadowPrefix"] == "original."
