"""The built wheel installs into a fresh venv and validates from there, with its packaged contract."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from goodgo_contracts_events import EVENT_TYPES

PROJECT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json
from goodgo_contracts_events import contract_files, parse_envelope, create_envelope, EVENT_TYPES
text = (contract_files() / "asyncapi.yaml").read_text()
assert text.startswith("asyncapi: 3.0.0"), text[:40]
schema = json.loads((contract_files() / "schemas" / "envelope.schema.json").read_text())
event = create_envelope("kyc.verified", {"userId": "usr_1", "verificationId": "kyc_1", "level": "basic",
    "provider": "onfido", "verifiedAt": "2026-11-27T09:15:01.980Z"}, producer="kyc-service")
parsed = parse_envelope(json.dumps(event).encode())
print(json.dumps({"types": list(EVENT_TYPES), "id": schema["$id"], "parsed": parsed["eventType"]}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(PROJECT)]
    subprocess.run(build, check=True, capture_output=True)
    return next(out.glob("*.whl"))


def test_the_wheel_ships_the_contract_and_the_generated_code(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "goodgo_contracts_events/py.typed",
        "goodgo_contracts_events/contract/asyncapi.yaml",
        "goodgo_contracts_events/contract/schemas/envelope.schema.json",
        "goodgo_contracts_events/contract/schemas/payment.completed.schema.json",
        "goodgo_contracts_events/_generated/validators/consumer_payment_completed.py",
        "goodgo_contracts_events/models.py",
        "goodgo_contracts_events/pydantic_models.py",
    ):
        assert expected in names
    assert not [n for n in names if "/tests/" in n or n.startswith("tests/")]


def test_the_wheel_installs_into_a_fresh_venv_and_validates(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    out = subprocess.run([str(python), "-c", SCRIPT], check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert json.loads(out) == {
        "types": list(EVENT_TYPES),
        "id": "https://schemas.goodgo.dev/contracts-events/envelope.schema.json",
        "parsed": "kyc.verified",
    }
