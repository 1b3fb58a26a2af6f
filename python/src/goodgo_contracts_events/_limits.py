"""x-event-limits: the bounds a reader applies before parsing, the same rule as src/event-limits.ts."""

from __future__ import annotations

import re

from ._contract_data import EVENT_LIMITS
from ._errors import ValidationIssue

_MAX_BYTES = EVENT_LIMITS["maxEventBytes"]
_MAX_DEPTH = EVENT_LIMITS["maxDepth"]
_MAX_NUMBER = EVENT_LIMITS["maxNumberLength"]
# Conservative pre-checks in C speed: text that passes them cannot break a bound, so the exact
# character scan (slow in Python) runs only on suspicious input.
_LONG_RUN = re.compile(f"[-+.eE0-9]{{{_MAX_NUMBER + 1}}}")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]|[-+.eE0-9]+', re.DOTALL)


def _issue(keyword: str, message: str) -> ValidationIssue:
    return ValidationIssue(
        path="",
        keyword=keyword,
        message=f"{message} (x-event-limits.{keyword})",
        params={"limit": EVENT_LIMITS[keyword]},
    )


def limit_issue(text: str, size: int | None = None) -> ValidationIssue | None:
    """The first bound JSON text breaks (UTF-8 size, nesting depth, length of a number), or None.

    >>> limit_issue("[" * 65).keyword
    'maxDepth'
    """
    if size is None:
        size = 0 if len(text) * 4 <= _MAX_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > _MAX_BYTES:
        return _issue("maxEventBytes", f"is {size} bytes, more than {_MAX_BYTES}")
    deep = text.count("{") + text.count("[") > _MAX_DEPTH
    if not deep and _LONG_RUN.search(text) is None:
        return None
    depth = 0
    for m in _TOKEN.finditer(text):
        token = m.group()
        first = token[0]
        if first == '"':
            continue
        if first in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return _issue("maxDepth", f"is nested deeper than {_MAX_DEPTH} levels")
        elif first in "]}":
            depth -= 1
        elif len(token) > _MAX_NUMBER:
            return _issue("maxNumberLength", f"has a number longer than {_MAX_NUMBER} characters")
    return None
