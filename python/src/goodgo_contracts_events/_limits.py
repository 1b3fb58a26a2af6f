"""x-event-limits: the bounds a reader applies before parsing, the same rule as src/event-limits.ts."""

from __future__ import annotations

import re

from ._errors import ValidationIssue
from ._generated.contract_data import EVENT_LIMITS

_MAX_BYTES = EVENT_LIMITS["maxEventBytes"]
_MAX_DEPTH = EVENT_LIMITS["maxDepth"]
_MAX_NUMBER = EVENT_LIMITS["maxNumberLength"]
# Conservative pre-checks in C speed: text that passes them cannot break a bound, so the exact
# character scan (slow in Python) runs only on suspicious input. A run of number characters longer
# than the bound is found by mapping them to "1" (bytes.translate) and searching for the run; a
# regular expression with {101} costs ~20 ns per position in CPython's engine.
_NUMBER_CHARS = b"-+.eE0123456789"
_TO_RUNS = bytes(0x31 if i in _NUMBER_CHARS else 0x20 for i in range(256))
_LONG_RUN = b"1" * (_MAX_NUMBER + 1)
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[{]|[\]}]|[-+.eE0-9]+', re.DOTALL)


def _issue(keyword: str, message: str) -> ValidationIssue:
    return ValidationIssue(
        path="",
        keyword=keyword,
        message=f"{message} (x-event-limits.{keyword})",
        params={"limit": EVENT_LIMITS[keyword]},
    )


def limit_issue(text: str, size: int | None = None, data: bytes | None = None) -> ValidationIssue | None:
    """The first bound JSON text breaks (UTF-8 size, nesting depth, length of a number), or None.

    ``data`` is the text's UTF-8 bytes when the caller has them (it read bytes).

    >>> limit_issue("[" * 65).keyword
    'maxDepth'
    """
    if size is None:
        size = 0 if len(text) * 4 <= _MAX_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > _MAX_BYTES:
        return _issue("maxEventBytes", f"is {size} bytes, more than {_MAX_BYTES}")
    deep = text.count("{") + text.count("[") > _MAX_DEPTH
    raw = data if data is not None else text.encode("utf-8", "surrogatepass")
    if not deep and _LONG_RUN not in raw.translate(_TO_RUNS):
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
