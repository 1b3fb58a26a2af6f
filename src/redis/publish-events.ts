import { EVENT_STREAM_KEYS, STREAM_ENTRY_FIELD } from '../../generated/event-types.js';
import type { EventEnvelope } from '../envelope.js';
import { EventValidationError } from '../errors.js';
import { commandsOf, type RedisClientLike } from './connection.js';
import { validateEnvelope } from '../validate.js';

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

function xadd(envelope: EventEnvelope, options: PublishOptions): { key: string; args: (string | number)[] } {
  const key = EVENT_STREAM_KEYS[envelope.eventType as keyof typeof EVENT_STREAM_KEYS];
  const trim = options.maxLen === undefined ? [] : ['MAXLEN', '~', options.maxLen];
  return { key, args: ['XADD', key, ...trim, '*', STREAM_ENTRY_FIELD, JSON.stringify(envelope)] };
}

function checked(envelope: unknown, index?: number): EventEnvelope {
  const result = validateEnvelope(envelope, { mode: 'producer' });
  if (!result.ok) {
    // In a batch, each problem names the event's index: /3/payload/amount.
    throw new EventValidationError(result.errors.map((e) => ({ ...e, instancePath: index === undefined ? e.instancePath : `/${index}${e.instancePath}` })));
  }
  return result.event;
}

/**
 * Validates an event in producer mode, then appends it to its stream (`events:<eventType>`) with
 * XADD, as the contract's wire format says. An invalid event never reaches Redis.
 *
 * @returns the stream entry id, e.g. `1764236705313-0`.
 * @throws {EventValidationError} when the event is invalid (nothing is sent).
 * @example
 * const id = await publishEvent(redis, createEnvelope('payment.completed', payload, { producer: 'api' }));
 */
export async function publishEvent(client: RedisClientLike, envelope: EventEnvelope, options: PublishOptions = {}): Promise<string> {
  const { key, args } = xadd(checked(envelope), options);
  return String(await commandsOf(client)(key, args));
}

/**
 * Publishes many events in one round trip (node-redis pipelines the commands of one tick). Every
 * event is validated first: if any is invalid, none is sent.
 *
 * @returns the entry ids, in order.
 * @throws {EventValidationError} naming the index of each invalid event (`/3/payload/amount`).
 * @example
 * await publishEvents(redis, events, { maxLen: 1_000_000 });
 */
export async function publishEvents(client: RedisClientLike, envelopes: readonly EventEnvelope[], options: PublishOptions = {}): Promise<string[]> {
  const errors: EventValidationError['errors'][number][] = [];
  const commands = envelopes.map((e, i) => {
    try {
      return xadd(checked(e, i), options);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      errors.push(...error.errors);
      return undefined;
    }
  });
  if (errors.length > 0) throw new EventValidationError(errors);
  const send = commandsOf(client);
  return (await Promise.all(commands.map((c) => send(c!.key, c!.args)))).map(String);
}
