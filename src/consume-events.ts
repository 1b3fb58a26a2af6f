import { EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS } from '../generated/event-types.js';
import { NO_TRACE_ID } from './envelope.js';
import type { ValidationIssue } from './errors.js';
import type { EventOf, EventType } from './event-types.js';
import { commandsOf, isolatedConnection, type RedisClientLike, type SendCommand } from './redis-connection.js';
import { fromStreamFields } from './stream-codec.js';

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
 * Options of {@link consumeEvents}.
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
  /** Called once per event; the entry is acknowledged when it resolves, left pending when it throws. */
  readonly handler: (event: EventOf<T>, context: HandlerContext) => void | Promise<void>;
  /** Entries per read. Default 50. */
  readonly count?: number;
  /** How long a read blocks waiting for entries. Default 2000 ms. */
  readonly blockMs?: number;
  /** Entries pending longer than this (a failed handler, a crashed consumer) are reclaimed by any consumer of the group. Must exceed the slowest handler. Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** After this many deliveries, a still-failing entry goes to the dead-letter stream. Default 5. */
  readonly maxDeliveries?: number;
  /** A group handles an eventId at most once within this window. Default 24 h. */
  readonly idempotencyWindowMs?: number;
  /** Where a new group starts: `0` (the whole stream, the default: nothing is lost) or `$` (new entries only). */
  readonly startId?: '0' | '$';
  /** Stops the consumer, as `stop()` does: an `AbortSignal` (typed by shape, so no DOM or Node types are needed). */
  readonly signal?: { addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void };
  /** Told of every failure (a handler that threw, a lost connection); the consumer carries on. Default: console.error. */
  readonly onError?: (error: unknown, where: { stream: string; entryId?: string }) => void;
}

/**
 * A running consumer: counters, and `stop()`.
 *
 * @example
 * const consumer = await consumeEvents(options);
 * process.on('SIGTERM', () => void consumer.stop());
 */
export interface Consumer {
  /** Finishes the handlers in flight, stops reading, and resolves when all is quiet. */
  stop(): Promise<void>;
  /** Resolves when the consumer has stopped. */
  readonly stopped: Promise<void>;
  readonly stats: { handled: number; duplicates: number; failed: number; deadLettered: number; reclaimed: number };
}

type Entry = [id: string, fields: string[]];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The entries of an XREADGROUP reply: `[[key, [[id, [f, v, ...]], ...]]]` in RESP2, a map
 * `{ key: [[id, [f, v, ...]], ...] }` in RESP3 (node-redis 6 negotiates RESP3), null on a timeout.
 */
function entriesOf(reply: unknown): Entry[] {
  let lists: unknown[] = [];
  if (Array.isArray(reply)) lists = reply.map((stream) => (Array.isArray(stream) ? stream[1] : undefined));
  else if (reply instanceof Map) lists = [...reply.values()];
  else if (typeof reply === 'object' && reply !== null) lists = Object.values(reply);
  return lists.flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : []))
    .filter((e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]));
}

/**
 * Consumes events from their streams in a consumer group, as the contract's binding says: creates
 * the group if missing; reads each stream with its own blocking XREADGROUP (so it runs on Redis
 * Cluster too); decodes and validates in consumer mode; calls the typed handler; XACKs only after
 * it succeeds. Entries that cannot be handled (invalid, on the wrong stream, a payload that fails
 * its schema) go to the stream's dead-letter stream with the reason, then are acknowledged. A
 * handler that throws leaves its entry pending; entries pending longer than `idleTimeoutMs` are
 * reclaimed (XAUTOCLAIM) by any consumer of the group, and dead-lettered after `maxDeliveries`.
 * The `eventId` is the idempotency key: a `SET NX` lock while the handler runs, then a `done` mark
 * kept for `idempotencyWindowMs`, so a group does not handle an event twice.
 *
 * @returns once the groups exist and reading has started.
 * @example
 * const consumer = await consumeEvents({
 *   client, group: 'ledger', consumer: `ledger-${process.pid}`, eventTypes: ['payment.completed'],
 *   handler: async (event) => book(event.payload.amount),
 * });
 */
export async function consumeEvents<T extends EventType>(options: ConsumeOptions<T>): Promise<Consumer> {
  const { client, group, consumer, handler } = options;
  const count = options.count ?? 50;
  const blockMs = options.blockMs ?? 2000;
  const idleMs = options.idleTimeoutMs ?? 30_000;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const windowMs = options.idempotencyWindowMs ?? 86_400_000;
  const onError = options.onError ?? ((error, where) => console.error(`consumeEvents: ${where.stream} ${where.entryId ?? ''}`, error));
  const send = commandsOf(client);
  const stats = { handled: 0, duplicates: 0, failed: 0, deadLettered: 0, reclaimed: 0 };
  const streams = options.eventTypes.map((t) => ({ type: t as EventType, key: EVENT_STREAM_KEYS[t], deadLetter: EVENT_DEAD_LETTER_KEYS[t] }));
  if (streams.length === 0) throw new TypeError('consumeEvents: eventTypes is empty; name the event types to consume');

  for (const s of streams) {
    try {
      await send(s.key, ['XGROUP', 'CREATE', s.key, group, options.startId ?? '0', 'MKSTREAM']);
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
  }

  let stopping = false;
  let wake: () => void = () => undefined;
  const woken = new Promise<void>((resolve) => (wake = resolve));
  /** A pause that ends early when the consumer stops. */
  const pause = (ms: number): Promise<void> => Promise.race([sleep(ms), woken]);
  const inFlight = new Set<Promise<void>>();
  const lockKey = (eventId: string): string => `events:handled:${group}:${eventId}`;

  const deadLetter = async (s: (typeof streams)[number], [id, fields]: Entry, reason: string, errors: readonly unknown[], deliveries: number): Promise<void> => {
    await send(s.deadLetter, ['XADD', s.deadLetter, '*', ...fields, 'deadLetter.stream', s.key, 'deadLetter.id', id, 'deadLetter.reason', reason, 'deadLetter.errors', JSON.stringify(errors), 'deadLetter.deliveries', deliveries]);
    await send(s.key, ['XACK', s.key, group, id]);
    stats.deadLettered++;
  };

  /** One batch of entries from one stream, in order; `deliveries` per entry id. */
  const handleBatch = async (s: (typeof streams)[number], entries: Entry[], deliveries: (id: string) => number): Promise<void> => {
    const ready: { entry: Entry; event: EventOf<T> }[] = [];
    for (const entry of entries) {
      const n = deliveries(entry[0]);
      if (n > maxDeliveries) {
        await deadLetter(s, entry, 'max-deliveries', [{ message: `still failing after ${n - 1} deliveries` }], n);
        continue;
      }
      const result = fromStreamFields(entry[1]);
      if (!result.ok) await deadLetter(s, entry, 'invalid', result.errors, n);
      else if (result.event.eventType !== s.type) await deadLetter(s, entry, 'wrong-stream', [{ instancePath: '/eventType', message: `is "${result.event.eventType}" on the stream of ${s.type}` }], n);
      else if (!result.known) await deadLetter(s, entry, 'payload-invalid', result.warnings as ValidationIssue[], n);
      else ready.push({ entry, event: result.event as EventOf<T> });
    }
    // Locks for the whole batch in one round trip (pipelined), then the handlers in stream order.
    const locks = await Promise.all(ready.map(({ event }) => send(lockKey(event.eventId), ['SET', lockKey(event.eventId), `processing:${consumer}`, 'NX', 'PX', idleMs])));
    for (const [i, { entry, event }] of ready.entries()) {
      const key = lockKey(event.eventId);
      if (locks[i] !== 'OK') {
        // Done before (a duplicate delivery): acknowledge. Being handled elsewhere: leave it.
        if ((await send(key, ['GET', key])) === 'done') {
          await send(s.key, ['XACK', s.key, group, entry[0]]);
          stats.duplicates++;
        }
        continue;
      }
      try {
        await handler(event, { stream: s.key, entryId: entry[0], deliveryCount: deliveries(entry[0]), traceId: event.traceId === NO_TRACE_ID ? undefined : event.traceId });
      } catch (error) {
        stats.failed++;
        onError(error, { stream: s.key, entryId: entry[0] });
        await send(key, ['DEL', key]);
        continue;
      }
      await Promise.all([send(key, ['SET', key, 'done', 'PX', windowMs]), send(s.key, ['XACK', s.key, group, entry[0]])]);
      stats.handled++;
    }
  };

  const track = (p: Promise<void>): Promise<void> => {
    inFlight.add(p);
    return p.finally(() => inFlight.delete(p));
  };

  const readers: { close(): void }[] = [];
  const readLoop = async (s: (typeof streams)[number]): Promise<void> => {
    let reader: { send: SendCommand; close(): void } | undefined;
    let backoff = 100;
    while (!stopping) {
      try {
        reader ??= await isolatedConnection(client, (error) => {
          if (!stopping) onError(error, { stream: s.key });
        });
        if (!readers.includes(reader)) readers.push(reader);
        const reply = await reader.send(s.key, ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', s.key, '>']);
        if (stopping) break;
        const entries = entriesOf(reply);
        if (entries.length > 0) await track(handleBatch(s, entries, () => 1));
        backoff = 100;
      } catch (error) {
        if (stopping) break;
        onError(error, { stream: s.key });
        await pause(backoff); // Redis restarting, a lost connection: node-redis reconnects
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  };

  const reclaimLoop = async (): Promise<void> => {
    while (!stopping) {
      await pause(Math.max(50, Math.floor(idleMs / 2)));
      for (const s of streams) {
        if (stopping) break;
        try {
          const reply = await send(s.key, ['XAUTOCLAIM', s.key, group, consumer, idleMs, '0-0', 'COUNT', count]);
          const claimed = (Array.isArray(reply) && Array.isArray(reply[1]) ? (reply[1] as unknown[]) : [])
            .filter((e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && Array.isArray(e[1]));
          if (claimed.length === 0) continue;
          stats.reclaimed += claimed.length;
          const counts = new Map<string, number>();
          for (const [id] of claimed) {
            const pending = await send(s.key, ['XPENDING', s.key, group, id, id, 1]);
            const row = Array.isArray(pending) && Array.isArray(pending[0]) ? pending[0] : undefined;
            counts.set(id, row ? Number(row[3]) : 1);
          }
          await track(handleBatch(s, claimed, (id) => counts.get(id) ?? 1));
        } catch (error) {
          if (!stopping) onError(error, { stream: s.key });
        }
      }
    }
  };

  const loops = Promise.all([...streams.map(readLoop), reclaimLoop()]);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      wake();
      // Let handlers in flight finish and acknowledge, then stop reading.
      await Promise.allSettled([...inFlight]);
      for (const r of readers) r.close();
      await loops.catch(() => undefined);
      await Promise.allSettled([...inFlight]);
    })();
    return stopped;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  let resolveStopped!: () => void;
  const stoppedPromise = new Promise<void>((resolve) => (resolveStopped = resolve));
  void loops.then(() => resolveStopped(), () => resolveStopped());
  return { stop, stopped: stoppedPromise, stats };
}
