import { EVENT_TYPES } from '../../generated/event-types.js';
import type { EventOf, EventType } from '../event-types.js';
import type { RedisClientLike } from './connection.js';
import type { CoreSettings } from './consumer-core.js';
import { ConsumerLoop } from './consumer-loop.js';

/**
 * What a handler learns about the entry besides the event.
 *
 * @example
 * handler: (event, { traceId, deliveryCount }) => { ... }
 */
export interface HandlerContext {
  readonly stream: string;
  readonly entryId: string;
  /** 1 on the first delivery; more when the entry was reclaimed after a failure or a crash. */
  readonly deliveryCount: number;
  /** The event's OpenTelemetry trace id, to link the handler's span; `undefined` when it has none. */
  readonly traceId: string | undefined;
}

/**
 * Options of {@link consumeEvents}. The defaults are the contract's (`x-redis-streams.defaults`).
 *
 * @example
 * const options: ConsumeOptions<'payment.completed'> = { client, group: 'ledger', consumer: 'ledger-1', eventTypes: ['payment.completed'], handler };
 */
export interface ConsumeOptions<T extends EventType> {
  /** A connected node-redis client or cluster. Blocking reads use duplicates of it. */
  readonly client: RedisClientLike;
  /** The consumer group: one per consuming service. Created if missing. */
  readonly group: string;
  /** This consumer's name in the group, unique per process (e.g. host and pid). */
  readonly consumer: string;
  readonly eventTypes: readonly T[];
  /** Called once per event; the entry is acknowledged when it resolves, retried when it throws. */
  readonly handler: (event: EventOf<T>, context: HandlerContext) => void | Promise<void>;
  /** Entries per read. Default 50. */
  readonly count?: number;
  /** How long a read blocks waiting for entries. Default 2000 ms. */
  readonly blockMs?: number;
  /**
   * A lease's length: entries pending longer (a failed handler, a crashed consumer) are reclaimed
   * by any consumer of the group. Leases are renewed while handlers run, so only one handler has to
   * finish within it, not a whole batch. Default 30 s.
   */
  readonly idleTimeoutMs?: number;
  /** A handler that fails on this delivery of an entry dead-letters it (`max-deliveries`). Default 5. */
  readonly maxDeliveries?: number;
  /** A group handles an eventId at most once within this window. Default 24 h. */
  readonly idempotencyWindowMs?: number;
  /**
   * Handlers of one stream running at once. Default 1: events are handled in stream order. Above
   * 1, events of a batch are started in order but may finish in any order: use it only when the
   * handler does not depend on the order of events.
   */
  readonly concurrency?: number;
  /** Where a new group starts: `0` (the whole stream, the default: nothing is lost) or `$` (new entries only). */
  readonly startId?: '0' | '$';
  /** Stops the consumer, as `stop()` does: an `AbortSignal` (typed by shape, so no DOM or Node types are needed). */
  readonly signal?: { addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void };
  /**
   * Told of every failure (a handler that threw, a lost connection, a dead letter that could not
   * be written, a lost group recreated, trimmed pending entries); the consumer carries on.
   * Default: one line on `console.error`.
   */
  readonly onError?: (error: unknown, where: { stream: string; entryId?: string }) => void;
}

/**
 * What a consumer did, counted since it started.
 *
 * @example
 * console.log(consumer.stats.handled);
 */
export interface ConsumerStats {
  handled: number;
  /** Events the group had handled already (a redelivery or a republished eventId): acked, not handled again. */
  duplicates: number;
  /** Handler failures (each retried, or dead-lettered on the last delivery). */
  failed: number;
  deadLettered: number;
  /** Entries taken over from a consumer that failed or stopped (XAUTOCLAIM). */
  reclaimed: number;
  /** Pending entries trimmed from the stream before anyone handled them (reported, cannot be recovered). */
  trimmed: number;
  /** Failures reported to `onError`. */
  errors: number;
}

/**
 * A running consumer: counters, and `stop()`.
 *
 * @example
 * const consumer = await consumeEvents(options);
 * process.on('SIGTERM', () => void consumer.stop());
 */
export interface Consumer {
  /** Finishes the handlers in flight, releases the rest of their batch, closes its connections, and resolves when all is quiet. */
  stop(): Promise<void>;
  /** Resolves when the consumer has stopped. */
  readonly stopped: Promise<void>;
  readonly stats: ConsumerStats;
}

const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function checkOptions(options: ConsumeOptions<EventType>): void {
  const types = options.eventTypes as readonly unknown[];
  if (!Array.isArray(types) || types.length === 0) throw new TypeError('consumeEvents: eventTypes is empty; name the event types to consume');
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly unknown[]).includes(t));
  if (unknown.length > 0) throw new TypeError(`consumeEvents: eventTypes has ${unknown.map((t) => JSON.stringify(t)).join(', ')}, not in the contract (known: ${EVENT_TYPES.join(', ')}); upgrade the package if the type is new`);
  for (const name of ['group', 'consumer'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') throw new TypeError(`consumeEvents: ${name} must be a non-empty string, got ${JSON.stringify(options[name])}`);
  }
  for (const name of ['count', 'blockMs', 'idleTimeoutMs', 'maxDeliveries', 'idempotencyWindowMs', 'concurrency'] as const) {
    const v = options[name];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new RangeError(`consumeEvents: ${name} must be a positive integer, got ${String(v)}`);
  }
}

/**
 * Consumes events from their streams in a consumer group, as the contract's binding
 * (`x-redis-streams`) says, around the pure protocol core ({@link Batch}): reads each stream with
 * its own blocking XREADGROUP (so it runs on Redis Cluster too), as raw bytes; dead-letters what
 * cannot be handled (original bytes kept, reason and errors added, then acked in one script);
 * leases each batch's events in one script call and renews the leases while handlers run; calls
 * the typed handler (`concurrency` at once); writes each event's done mark and XACK in one script,
 * without waiting, all flushed by the end of the batch. A failed handler's entry is retried after
 * the idle timeout (XAUTOCLAIM) and dead-lettered when it fails on its `maxDeliveries`th delivery.
 * A group lost with its stream (deleted, or Redis restarted without persistence) is recreated at
 * the last entry this consumer saw.
 *
 * @returns once the groups exist and reading has started.
 * @throws {TypeError} for an unknown event type or a missing group or consumer name; {RangeError} for a bad number.
 * @example
 * const consumer = await consumeEvents({
 *   client, group: 'ledger', consumer: `ledger-${process.pid}`, eventTypes: ['payment.completed'],
 *   handler: async (event) => book(event.payload.amount),
 * });
 */
export function consumeEvents<T extends EventType>(options: ConsumeOptions<T>): Promise<Consumer> {
  return consumeEventsWith(options, {});
}

/**
 * {@link consumeEvents} with the core's decision swapped (`decide`): the seam the benchmark uses to
 * price validation against the same loop deciding by `JSON.parse` alone. Not part of the API.
 *
 * @example
 * await consumeEventsWith(options, { decide: (type, entry) => ({ action: 'handle', event: JSON.parse(...) }) });
 */
export async function consumeEventsWith<T extends EventType>(options: ConsumeOptions<T>, seams: Pick<CoreSettings, 'decide'>): Promise<Consumer> {
  checkOptions(options as unknown as ConsumeOptions<EventType>);
  return new ConsumerLoop(options as unknown as ConsumeOptions<EventType>, seams).start();
}
