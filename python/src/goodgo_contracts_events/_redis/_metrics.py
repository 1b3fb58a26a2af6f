"""The consumers' metrics through OpenTelemetry (opentelemetry-api, extra ``[otel]``): the same names
and attributes as src/redis/consumer-metrics.ts. No-ops without an SDK; nothing without the API."""

from __future__ import annotations

from typing import Any

CONSUMER_METRICS = {
    "process_duration": "messaging.process.duration",
    "consumed": "messaging.client.consumed.messages",
    "handled": "goodgo.events.handled",
    "failed": "goodgo.events.failed",
    "dead_lettered": "goodgo.events.dead_lettered",
    "duplicates": "goodgo.events.duplicates",
}
"""Metric names: OpenTelemetry's messaging semantic conventions where they name the measure."""


class ConsumerMetrics:
    """The instruments of one consumed stream, from the global MeterProvider."""

    def __init__(self, *, stream: str, group: str, event_type: str) -> None:
        self.base = {
            "messaging.system": "redis",
            "messaging.destination.name": stream,
            "messaging.consumer.group.name": group,
            "goodgo.event_type": event_type,
        }
        self.process = {**self.base, "messaging.operation.name": "process"}
        try:
            from opentelemetry import metrics
        except ImportError:
            self.meter: Any = None
            return
        meter = metrics.get_meter("goodgo_contracts_events")
        names = CONSUMER_METRICS
        self.meter = meter
        self._duration = meter.create_histogram(names["process_duration"], unit="s", description="One handler run")
        self._consumed = meter.create_counter(names["consumed"], unit="{message}", description="Entries read")
        self._handled = meter.create_counter(names["handled"], unit="{event}", description="Handlers that succeeded")
        self._failed = meter.create_counter(names["failed"], unit="{event}", description="Handler failures")
        self._dead = meter.create_counter(names["dead_lettered"], unit="{event}", description="Dead letters, by reason")
        self._dup = meter.create_counter(names["duplicates"], unit="{event}", description="Handled before: acked")

    def consumed(self, n: int) -> None:
        if self.meter is not None and n:
            self._consumed.add(n, self.base)

    def finished(self, seconds: float, error: BaseException | None) -> None:
        if self.meter is None:
            return
        if error is None:
            self._duration.record(seconds, self.process)
            self._handled.add(1, self.base)
        else:
            self._duration.record(seconds, {**self.process, "error.type": type(error).__name__})
            self._failed.add(1, self.base)

    def dead_lettered(self, reason: str) -> None:
        if self.meter is not None:
            self._dead.add(1, {**self.base, "goodgo.dead_letter.reason": reason})

    def duplicates(self, n: int) -> None:
        if self.meter is not None and n:
            self._dup.add(n, self.base)
