import { createRequire } from 'node:module';

/** What this file uses of `@opentelemetry/api` (typed by shape: the package needs no import of it). */
interface Counter {
  add(value: number, attributes?: Record<string, string>): void;
}
interface Histogram {
  record(value: number, attributes?: Record<string, string>): void;
}
interface Meter {
  createCounter(name: string, options?: { description?: string; unit?: string }): Counter;
  createHistogram(name: string, options?: { description?: string; unit?: string }): Histogram;
}
interface MetricsApi {
  metrics: { getMeter(name: string, version?: string): Meter };
}

/**
 * The consumer's metric names: OpenTelemetry's messaging semantic conventions where they name the
 * measure (`messaging.*`), the package's own (`goodgo.events.*`) otherwise. Every point carries
 * `messaging.system` (`redis`), `messaging.destination.name` (the stream),
 * `messaging.consumer.group.name` and `goodgo.event_type`.
 *
 * @example
 * CONSUMER_METRICS.processDuration; // 'messaging.process.duration'
 */
export const CONSUMER_METRICS = {
  /** Histogram, seconds: one handler run; `error.type` set when it threw. */
  processDuration: 'messaging.process.duration',
  /** Counter: entries the consumer read (first delivery or reclaimed). */
  consumed: 'messaging.client.consumed.messages',
  /** Counter: events whose handler succeeded. */
  handled: 'goodgo.events.handled',
  /** Counter: handler failures (each retried, or dead-lettered on the last delivery). */
  failed: 'goodgo.events.failed',
  /** Counter, with `goodgo.dead_letter.reason`: entries dead-lettered. */
  deadLettered: 'goodgo.events.dead_lettered',
  /** Counter: events the group had handled already, acked without calling the handler. */
  duplicates: 'goodgo.events.duplicates',
} as const;

/**
 * The consumer's instruments, from the global MeterProvider of `@opentelemetry/api` (an optional
 * peer): no-ops until an SDK is registered, and nothing at all when the API is not installed.
 *
 * @example
 * const metrics = consumerMetrics({ stream: 'events:payment.completed', group: 'ledger', eventType: 'payment.completed' });
 * metrics.handled(0.012);
 */
export interface ConsumerMetrics {
  consumed(n: number): void;
  handled(seconds: number): void;
  failed(seconds: number, errorType: string): void;
  deadLettered(reason: string, n?: number): void;
  duplicates(n: number): void;
}

let api: MetricsApi | null | undefined;
const NOOP: ConsumerMetrics = { consumed: () => undefined, handled: () => undefined, failed: () => undefined, deadLettered: () => undefined, duplicates: () => undefined };

/**
 * The instruments of one consumed stream (see {@link CONSUMER_METRICS} for the names).
 *
 * @example
 * const m = consumerMetrics({ stream, group, eventType });
 */
export function consumerMetrics(where: { stream: string; group: string; eventType: string }): ConsumerMetrics {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@opentelemetry/api') as MetricsApi;
    } catch {
      api = null;
    }
  }
  if (!api) return NOOP;
  const meter = api.metrics.getMeter('@goodgo/contracts-events');
  const base = { 'messaging.system': 'redis', 'messaging.destination.name': where.stream, 'messaging.consumer.group.name': where.group, 'goodgo.event_type': where.eventType };
  const duration = meter.createHistogram(CONSUMER_METRICS.processDuration, { description: 'Duration of one handler run', unit: 's' });
  const consumed = meter.createCounter(CONSUMER_METRICS.consumed, { description: 'Entries read from the stream', unit: '{message}' });
  const handled = meter.createCounter(CONSUMER_METRICS.handled, { description: 'Events whose handler succeeded', unit: '{event}' });
  const failed = meter.createCounter(CONSUMER_METRICS.failed, { description: 'Handler failures', unit: '{event}' });
  const dead = meter.createCounter(CONSUMER_METRICS.deadLettered, { description: 'Entries dead-lettered, by reason', unit: '{event}' });
  const duplicates = meter.createCounter(CONSUMER_METRICS.duplicates, { description: 'Events handled before by the group, acked without a handler run', unit: '{event}' });
  const process = { ...base, 'messaging.operation.name': 'process' };
  return {
    consumed: (n) => consumed.add(n, base),
    handled: (seconds) => {
      duration.record(seconds, process);
      handled.add(1, base);
    },
    failed: (seconds, errorType) => {
      duration.record(seconds, { ...process, 'error.type': errorType });
      failed.add(1, base);
    },
    deadLettered: (reason, n = 1) => dead.add(n, { ...base, 'goodgo.dead_letter.reason': reason }),
    duplicates: (n) => duplicates.add(n, base),
  };
}
