"""Shared test data: the repository's vectors and schemas, read from the repository itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VECTORS_DIR = REPO / "test" / "vectors"


def load_vectors() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(file, group description, mode, case) for every case of every vector file; the group's
    lifecycle setting is copied into each case as ``lifecycle``."""
    cases = []
    for path in sorted(VECTORS_DIR.glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")):
            for case in group["tests"]:
                with_lifecycle = {**case, "lifecycle": group["lifecycle"]}
                cases.append((path.name, group["description"], group["mode"], with_lifecycle))
    return cases


def load_schemas() -> list[dict[str, Any]]:
    """Every schema of the contract, as written."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((REPO / "schemas").rglob("*.schema.json"))]


def contract_example(event_type: str) -> dict[str, Any]:
    """The first example envelope of an event type, from the repository's asyncapi.yaml."""
    import yaml

    document = yaml.safe_load((REPO / "asyncapi.yaml").read_text(encoding="utf-8"))
    example: dict[str, Any] = document["components"]["messages"][event_type]["examples"][0]["payload"]
    return example
