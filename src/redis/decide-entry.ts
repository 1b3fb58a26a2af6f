import { EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS } from '../../generated/event-types.js';
import { REDIS_PROTOCOL, type DeadLetterReason } from '../../generated/redis-protocol.js';
import type { ValidationIssue } from '../errors.js';
import type { EventType, KnownEvent } from '../event-types.js';
import { fromStreamFields } from './stream-codec.js';

/**
 * One stream entry as a consumer reads it: raw field bytes (never decoded with replacement
 * characters) and how many times the group has delivered it.
 *
 * @example
 * const entry: StreamEntry = { id: '1764236705313-0', fields: [Buffer.from('envelope'), Buffer.from('{...}')], deliveries: 1 };
 */
export interface StreamEntry {
  readonly id: string;
  /** `[name, value, name, value, ...]` as Redis stores them. */
  readonly fields: readonly (string | Uint8Array)[];
  readonly deliveries: number;
}

/** What a dead letter says about its errors: the validation issues, without the schema path. */
export type DeadLetterIssue = Pick<ValidationIssue, 'instancePath' | 'keyword' | 'params' | 'message'>;

/**
 * What a consumer does with one entry before any handler runs: handle its event, or dead-letter it.
 *
 * @example
 * const d: EntryDecision = { action: 'dead-letter', reason: 'invalid', errors: [...] };
 */
export type EntryDecision =
  | { readonly action: 'handle'; readonly event: KnownEvent }
  | { readonly action: 'dead-letter'; readonly reason: DeadLetterReason; readonly errors: readonly DeadLetterIssue[] };

const LIMIT_KEYWORDS: ReadonlySet<string> = new Set(['maxEventBytes', 'maxDepth', 'maxNumberLength']);

const issues = (list: readonly ValidationIssue[]): DeadLetterIssue[] =>
  list.map(({ instancePath, keyword, params, message }) => ({ instancePath, keyword, params, message }));

/**
 * Decides one entry of the stream of `eventType` (pure; the binding vectors pin it for every
 * runtime): dead-letter it when it was delivered more than `maxDeliveries` times without an ack,
 * when it breaks `x-event-limits` (`over-limit`), is unreadable or invalid (`invalid`), carries
 * another or an unknown type (`wrong-stream`), or a payload its type does not enforce yet fails
 * its schema (`payload-invalid`); otherwise handle it.
 *
 * @example
 * decideEntry('payment.completed', { id: '1-0', fields: ['envelope', text], deliveries: 1 }, 5);
 * // { action: 'handle', event: { eventType: 'payment.completed', ... } }
 */
export function decideEntry(eventType: EventType, entry: StreamEntry, maxDeliveries: number): EntryDecision {
  if (entry.deliveries > maxDeliveries) {
    const message = `was delivered ${entry.deliveries} times without being acknowledged, more than maxDeliveries (${maxDeliveries})`;
    return { action: 'dead-letter', reason: 'max-deliveries', errors: [{ instancePath: '', keyword: 'maxDeliveries', params: { limit: maxDeliveries }, message }] };
  }
  const result = fromStreamFields(entry.fields);
  if (!result.ok) {
    const reason = result.errors.some((e) => LIMIT_KEYWORDS.has(e.keyword)) ? 'over-limit' : 'invalid';
    return { action: 'dead-letter', reason, errors: issues(result.errors) };
  }
  if (result.event.eventType !== eventType) {
    const message = `is "${result.event.eventType}" on the stream of ${eventType}`;
    return { action: 'dead-letter', reason: 'wrong-stream', errors: [{ instancePath: '/eventType', keyword: 'const', params: { allowedValue: eventType }, message }] };
  }
  if (!result.known) return { action: 'dead-letter', reason: 'payload-invalid', errors: issues(result.warnings) };
  return { action: 'handle', event: result.event };
}

/**
 * A handler that failed on its last allowed delivery: the dead-letter errors that say so.
 *
 * @example
 * handlerFailure(5, 5, 'ECONNREFUSED'); // [{ keyword: 'handler', message: 'the handler failed on delivery 5 of 5: ECONNREFUSED', ... }]
 */
export function handlerFailure(deliveries: number, maxDeliveries: number, error: string): DeadLetterIssue[] {
  return [{ instancePath: '', keyword: 'handler', params: { limit: maxDeliveries }, message: `the handler failed on delivery ${deliveries} of ${maxDeliveries}: ${error}` }];
}

const DL = REDIS_PROTOCOL.deadLetterFields;
const text = (v: string | Uint8Array): string => (typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1'));

/**
 * The fields of a dead-letter entry: the original fields, byte for byte, then the `deadLetter.*`
 * fields that say why. An original field named with their prefix (`deadLetter.`) or the shadow
 * prefix (`original.`) is kept under the shadow prefix, so a poison entry can never pass for its own
 * dead letter and redriving can restore every field exactly.
 *
 * @example
 * deadLetterFields(entry, { eventType: 'payment.completed', group: 'ledger', reason: 'invalid', errors });
 * // ['envelope', <bytes>, 'deadLetter.stream', 'events:payment.completed', 'deadLetter.id', '1-0', ...]
 */
export function deadLetterFields(
  entry: StreamEntry,
  why: { readonly eventType: EventType; readonly group: string; readonly reason: DeadLetterReason; readonly errors: readonly DeadLetterIssue[] },
): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i + 1 < entry.fields.length; i += 2) {
    const name = entry.fields[i]!;
    const n = text(name);
    const shadowed = n.startsWith(REDIS_PROTOCOL.deadLetterFieldPrefix) || n.startsWith(REDIS_PROTOCOL.shadowPrefix);
    const kept = !shadowed ? name : typeof name === 'string' ? REDIS_PROTOCOL.shadowPrefix + name : Buffer.concat([Buffer.from(REDIS_PROTOCOL.shadowPrefix), name]);
    out.push(kept, entry.fields[i + 1]!);
  }
  out.push(
    DL.stream, EVENT_STREAM_KEYS[why.eventType],
    DL.id, entry.id,
    DL.group, why.group,
    DL.reason, why.reason,
    DL.errors, JSON.stringify(why.errors),
    DL.deliveries, String(entry.deliveries),
  );
  return out;
}

/** The dead-letter stream of an event type (hash-tagged with its stream). */
export const deadLetterStreamOf = (eventType: EventType): string => EVENT_DEAD_LETTER_KEYS[eventType];
