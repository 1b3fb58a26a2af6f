import { createRequire } from 'node:module';

interface OtelApi {
  trace: { getActiveSpan(): { spanContext(): { traceId: string } } | undefined };
}

let otel: OtelApi | null | undefined;

/**
 * The trace id of the active OpenTelemetry span, when `@opentelemetry/api` is installed (an
 * optional peer dependency) and a span is active; otherwise `undefined`. Loaded on first use with
 * `require`, so the package never needs it and never bundles it.
 *
 * @example
 * createEnvelope('payment.completed', payload, { producer: 'api', traceId: activeTraceId() });
 */
export function activeTraceId(): string | undefined {
  if (otel === undefined) {
    try {
      otel = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
    } catch {
      otel = null;
    }
  }
  const traceId = otel?.trace.getActiveSpan()?.spanContext().traceId;
  // W3C Trace Context: all zeros is an invalid (absent) trace id.
  return traceId && /^[0-9a-f]{32}$/.test(traceId) && traceId !== '00000000000000000000000000000000' ? traceId : undefined;
}
