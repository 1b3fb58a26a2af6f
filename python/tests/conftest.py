"""pytest hooks: report how many shared vectors each runtime checked."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    module = sys.modules.get("test_vectors")
    if module is not None:
        counts = module.counts
        terminalreporter.write_line(
            f"vectors: Python validate_envelope checked {counts['python']}, jsonschema checked {counts['jsonschema']}"
        )
