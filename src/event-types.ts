import { EVENT_TYPES, type EventMap } from '../generated/event-types.js';

export { EVENT_DEAD_LETTER_KEYS, EVENT_LEGACY_DEAD_LETTER_KEYS, EVENT_LIFECYCLE, EVENT_LIMITS, EVENT_PAYLOAD_SCHEMA_IDS, EVENT_PAYLOAD_VERSIONS, EVENT_TYPES, EVENT_STREAM_KEYS, STREAM_ENTRY_FIELD } from '../generated/event-types.js';
export type { EventMap, EventPayloadMap } from '../generated/event-types.js';

/**
 * A known event type, e.g. `'payment.completed'`: one of {@link EVENT_TYPES}.
 *
 * @example
 * const t: EventType = 'payment.completed';
 */
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The whole event (envelope and typed payload) of a known event type.
 *
 * @example
 * function onPayment(event: EventOf<'payment.completed'>) {
 *   event.payload.amount; // number
 * }
 */
export type EventOf<T extends EventType> = EventMap[T];

/**
 * The discriminated union of every known event: a `switch` on `eventType` narrows `payload`.
 *
 * @example
 * function handle(event: KnownEvent) {
 *   switch (event.eventType) {
 *     case 'payment.completed': return event.payload.amount;
 *     case 'kyc.verified': return event.payload.level;
 *     case 'listing.approved': return event.payload.category;
 *   }
 * }
 */
export type KnownEvent = EventMap[EventType];

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Whether `value` is one of the contract's event types. A type guard, so the value narrows to
 * {@link EventType}.
 *
 * @example
 * isEventType('payment.completed'); // true
 * isEventType('payment.refunded'); // false: well-formed, but not (yet) in the contract
 */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && KNOWN.has(value);
}
