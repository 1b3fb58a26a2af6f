"""Validation problems as data, and the one exception that carries them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One validation problem: where (a JSON pointer), which keyword, and a message.

    The same fields and messages as the TypeScript package's ``ValidationIssue`` (``path`` is its
    ``instancePath``), so both runtimes report a bad event the same way.

    >>> ValidationIssue(path="/payload/amount", keyword="minimum", message="must be >= 1")
    ValidationIssue(path='/payload/amount', keyword='minimum', message='must be >= 1', params={})
    """

    path: str
    """JSON pointer (RFC 6901) to the offending value; ``""`` is the whole input."""
    keyword: str
    """The failed JSON Schema keyword (``required``, ``pattern``, ...), or ``json``/``encoding``."""
    message: str
    """Human-readable, derived from the data."""
    params: dict[str, Any] = field(default_factory=dict)
    """The keyword's parameters, e.g. ``{"missingProperty": "eventId"}`` (ajv's names)."""


_SHOWN = 5


class EventValidationError(ValueError):
    """Raised by ``parse_envelope`` and ``create_envelope`` for an invalid event.

    A ``ValueError``, carrying every problem in ``errors``: the same list ``validate_envelope``
    returns, so nothing is lost by raising.

    >>> try:
    ...     parse_envelope(b"{}")
    ... except EventValidationError as e:
    ...     print(e.errors[0].path, e.errors[0].keyword)
    """

    errors: tuple[ValidationIssue, ...]

    def __init__(self, errors: tuple[ValidationIssue, ...]) -> None:
        self.errors = errors
        parts = [f"{e.path or '(root)'} {e.message}" for e in errors[:_SHOWN]]
        more = f"; and {len(errors) - _SHOWN} more" if len(errors) > _SHOWN else ""
        super().__init__(f"invalid event: {'; '.join(parts)}{more}")
