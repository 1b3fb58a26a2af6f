"""The trace id of the active OpenTelemetry span, when opentelemetry-api is installed."""

from __future__ import annotations


def active_trace_id() -> str | None:
    """32 lowercase hex of the current span's trace, or ``None`` (no opentelemetry-api, no valid span).

    >>> active_trace_id() is None  # outside any span
    True
    """
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
