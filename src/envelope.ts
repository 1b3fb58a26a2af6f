import type { EventOf, EventPayloadMap, EventType } from './event-types.js';
import { EventValidationError } from './errors.js';
import { activeTraceId } from './trace-context.js';
import { uuidv7 } from './uuid-v7.js';
import { validateEnvelope } from './validate.js';

/**
 * The envelope every event travels in. The per-type models (`PaymentCompletedEvent`, ...) are
 * this interface with `eventType` and `payload` pinned; `EventOf<'payment.completed'>` names them.
 *
 * @example
 * const event: EventEnvelope<{ orderId: string }> = {
 *   schemaVersion: 1,
 *   eventId: '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46',
 *   eventType: 'order.shipped',
 *   occurredAt: '2026-11-27T09:11:45.120Z',
 *   producer: 'api',
 *   traceId: '00000000000000000000000000000000',
 *   payload: { orderId: 'ord_1' },
 * };
 */
export interface EventEnvelope<TPayload = unknown> {
  /** Version of the envelope itself, {@link EVENT_ENVELOPE_SCHEMA_VERSION}; bumped only when the envelope changes. */
  schemaVersion: number;
  /** UUIDv7 (RFC 9562), canonical lowercase: time-ordered, and the idempotency key. */
  eventId: string;
  /** `<aggregate>.<past-tense-verb>`, e.g. `payment.completed`. */
  eventType: string;
  /** RFC 3339 in UTC with `Z`, e.g. `2026-11-27T09:11:45.120Z`. */
  occurredAt: string;
  /** The producing service's name, e.g. `api`. */
  producer: string;
  /** OpenTelemetry trace id, 32 lowercase hex; {@link NO_TRACE_ID} when there is none. */
  traceId: string;
  /** The event-specific data, validated by the event type's schema. */
  payload: TPayload;
}

/**
 * The envelope version this package reads and writes.
 *
 * @example
 * if (event.schemaVersion !== EVENT_ENVELOPE_SCHEMA_VERSION) throw new Error('upgrade');
 */
export const EVENT_ENVELOPE_SCHEMA_VERSION = 1;

/**
 * The all-zero trace id: the event was produced outside any trace (W3C Trace Context treats it as
 * invalid, so it can never collide with a real trace).
 *
 * @see https://www.w3.org/TR/trace-context/#trace-id
 * @example
 * if (event.traceId !== NO_TRACE_ID) linkSpan(event.traceId);
 */
export const NO_TRACE_ID = '00000000000000000000000000000000';

/**
 * Options of {@link createEnvelope}. Clock and randomness are injectable through `occurredAt` and
 * `eventId`.
 *
 * @example
 * const options: CreateEnvelopeOptions = { producer: 'payments-service', traceId: span.spanContext().traceId };
 */
export interface CreateEnvelopeOptions {
  /** The producing service: lowercase letters, digits and single `-`, at most 64 characters. */
  readonly producer: string;
  /**
   * OpenTelemetry trace id (32 lowercase hex). Default: the active span's, when
   * `@opentelemetry/api` is installed and a span is active; otherwise {@link NO_TRACE_ID}.
   */
  readonly traceId?: string | undefined;
  /** When the fact happened. A Date is written with `toISOString()` (milliseconds, `Z`). Default: now. */
  readonly occurredAt?: Date | string | undefined;
  /** Default: a new {@link uuidv7}. Pass one to retry a publish with the same idempotency key. */
  readonly eventId?: string | undefined;
}

/**
 * Builds a complete, typed envelope for a known event type and validates it in producer mode, so
 * an invalid event never leaves the service.
 *
 * @throws {EventValidationError} for an unknown event type or an invalid envelope or payload
 *   (including unknown fields), with every problem in `errors`.
 * @throws {TypeError} when `options` is not an object; {@link RangeError} when `occurredAt` is an
 *   invalid Date.
 * @example
 * const event = createEnvelope('payment.completed', {
 *   paymentId: 'pay_01JDQ7ZK3M8V', orderId: 'ord_9f8e7d6c', amount: 1250000, currency: 'VND',
 *   gateway: 'stripe', method: 'card', completedAt: '2026-11-27T09:11:44.903Z',
 * }, { producer: 'payments-service' });
 * // { schemaVersion: 1, eventId: '019ac5cf-...', eventType: 'payment.completed',
 * //   occurredAt: '2026-11-27T09:11:45.120Z', producer: 'payments-service',
 * //   traceId: '00000000000000000000000000000000', payload: { ... } }
 */
export function createEnvelope<T extends EventType>(eventType: T, payload: EventPayloadMap[T], options: CreateEnvelopeOptions): EventOf<T> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createEnvelope: options must be an object such as { producer: 'api' }, got ${options === null ? 'null' : typeof options}`);
  }
  const envelope: EventEnvelope = {
    schemaVersion: EVENT_ENVELOPE_SCHEMA_VERSION,
    eventId: options.eventId ?? uuidv7(),
    eventType,
    occurredAt: toTimestamp(options.occurredAt),
    producer: options.producer,
    traceId: options.traceId ?? activeTraceId() ?? NO_TRACE_ID,
    payload,
  };
  const result = validateEnvelope(envelope, { mode: 'producer' });
  if (!result.ok) throw new EventValidationError(result.errors);
  return envelope as EventOf<T>;
}

function toTimestamp(value: Date | string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  if (!(value instanceof Date)) return value;
  if (Number.isNaN(value.getTime())) throw new RangeError('createEnvelope: occurredAt is an invalid Date');
  return value.toISOString();
}
