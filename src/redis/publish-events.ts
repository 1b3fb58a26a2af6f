import { EVENT_STREAM_KEYS, STREAM_ENTRY_FIELD } from '../../generated/event-types.js';
import type { EventEnvelope } from '../envelope.js';
import { EventValidationError, PublishError, type ValidationIssue } from '../errors.js';
import type { EventType } from '../event-types.js';
import { safeParseEnvelope } from '../validate.js';
import { commandsOf, type RedisClientLike } from './connection.js';

/**
 * Options of {@link publishEvent} and {@link publishEvents}.
 *
 * @example
 * const options: PublishOptions = { maxLen: 1_000_000 };
 */
export interface PublishOptions {
  /** Trim the stream to about this many entries (`XADD ... MAXLEN ~ n`). Default: no trimming. */
  readonly maxLen?: number | undefined;
}

// JSON.stringify writes a lone UTF-16 surrogate as the escape \udXXX (a paired one as the character):
// an odd run of backslashes before `ud8`..`udf` is such an escape, outside any escaped backslash.
const LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/**
 * The event as the exact JSON text to send, validated *as that text* (producer mode): what is
 * checked is what is sent. An object whose prototype carries its fields, a `toJSON` that writes
 * something else, or a string with a lone surrogate (not Unicode text; Python cannot decode it)
 * is refused, with the index of the event in a batch.
 */
function encoded(envelope: unknown, index?: number): { key: string; text: string } {
  const at = (path: string): string => (index === undefined ? path : `/${index}${path}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(envelope);
  } catch (e) {
    throw new EventValidationError([{ instancePath: at(''), schemaPath: '', keyword: 'json', params: {}, message: `cannot be written as JSON: ${(e as Error).message}` }]);
  }
  if (text === undefined) throw new EventValidationError([{ instancePath: at(''), schemaPath: '', keyword: 'json', params: {}, message: 'cannot be written as JSON (it is undefined, a function or a symbol)' }]);
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    const message = `contains a lone surrogate (${lone[0].slice(-6)}): it is not Unicode text and cannot be sent as UTF-8; fix the string that holds it`;
    throw new EventValidationError([{ instancePath: at(''), schemaPath: '', keyword: 'encoding', params: {}, message }]);
  }
  const result = safeParseEnvelope(text, { mode: 'producer' });
  if (!result.ok) throw new EventValidationError(result.errors.map((e) => ({ ...e, instancePath: at(e.instancePath) })));
  return { key: EVENT_STREAM_KEYS[result.event.eventType as EventType], text };
}

function xadd({ key, text }: { key: string; text: string }, options: PublishOptions): (string | number)[] {
  const trim = options.maxLen === undefined ? [] : ['MAXLEN', '~', options.maxLen];
  return ['XADD', key, ...trim, '*', STREAM_ENTRY_FIELD, text];
}

function failed(error: unknown, streams: readonly string[], count: number): PublishError {
  return new PublishError({ cause: error, streams: [...new Set(streams)], count });
}

/**
 * Validates an event in producer mode, then appends it to its stream (`events:<eventType>`) with
 * XADD, as the contract's wire format says. An invalid event never reaches Redis; the bytes sent
 * are the bytes validated.
 *
 * @returns the stream entry id, e.g. `1764236705313-0`.
 * @throws {EventValidationError} when the event is invalid (nothing is sent).
 * @throws {PublishError} when Redis refused or did not answer: it says whether the event may have
 *   been appended; retrying with the same event is safe (consumers skip a repeated eventId).
 * @example
 * const id = await publishEvent(redis, createEnvelope('payment.completed', payload, { producer: 'api' }));
 */
export async function publishEvent(client: RedisClientLike, envelope: EventEnvelope, options: PublishOptions = {}): Promise<string> {
  const event = encoded(envelope);
  try {
    return String(await commandsOf(client)(event.key, xadd(event, options)));
  } catch (error) {
    throw failed(error, [event.key], 1);
  }
}

/**
 * Publishes many events in one round trip (node-redis pipelines the commands of one tick). Every
 * event is validated first: if any is invalid, none is sent.
 *
 * @returns the entry ids, in order.
 * @throws {EventValidationError} naming the index of each invalid event (`/3/payload/amount`).
 * @throws {PublishError} when Redis refused or did not answer (see {@link publishEvent}).
 * @example
 * await publishEvents(redis, events, { maxLen: 1_000_000 });
 */
export async function publishEvents(client: RedisClientLike, envelopes: readonly EventEnvelope[], options: PublishOptions = {}): Promise<string[]> {
  const errors: ValidationIssue[] = [];
  const events = envelopes.map((e, i) => {
    try {
      return encoded(e, i);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      errors.push(...error.errors);
      return undefined;
    }
  });
  if (errors.length > 0) throw new EventValidationError(errors);
  const send = commandsOf(client);
  const ok = events as { key: string; text: string }[];
  try {
    return (await Promise.all(ok.map((e) => send(e.key, xadd(e, options))))).map(String);
  } catch (error) {
    throw failed(error, ok.map((e) => e.key), ok.length);
  }
}
