"""Messages made from a keyword and its parameters: the same text as src/issue-message.ts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _q(value: Any) -> str:
    """JSON.stringify, as the TypeScript messages quote values."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def issue_message(keyword: str, params: Mapping[str, Any], hints: Mapping[str, tuple[str, str | None]]) -> str:
    """The message of a validation error, from its keyword and params; a pattern is named by its hint.

    >>> issue_message("minimum", {"comparison": ">=", "limit": 1}, {})
    'must be >= 1'
    """
    if keyword == "required":
        return f"must have required property {_q(params['missingProperty'])}"
    if keyword == "type":
        return f"must be {params['type']}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"must be {params['comparison']} {params['limit']}"
    if keyword == "minLength":
        return f"must have at least {params['limit']} characters"
    if keyword == "maxLength":
        return f"must have at most {params['limit']} characters"
    if keyword == "additionalProperties":
        return f"has unknown property {_q(params['additionalProperty'])} (producer mode accepts only declared fields)"
    if keyword == "enum":
        return "must be one of " + ", ".join(_q(v) for v in params["allowedValues"])
    if keyword == "const":
        return f"must be {_q(params['allowedValue'])}"
    if keyword == "pattern":
        hint = hints.get(str(params["pattern"]))
        if hint is None:
            return f"must match the pattern {params['pattern']}"
        title, example = hint
        return f"must be a valid {title}" if example is None else f"must be a valid {title}, e.g. {_q(example)}"
    return f"must satisfy {keyword} {_q(dict(params))}"
