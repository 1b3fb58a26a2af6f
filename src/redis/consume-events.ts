import { EVENT_STREAM_KEYS, EVENT_TYPES } from '../../generated/event-types.js';
import { REDIS_PROTOCOL } from '../../generated/redis-protocol.js';
import { NO_TRACE_ID } from '../envelope.js';
import type { EventOf, EventType } from '../event-types.js';
import { uuidv7 } from '../uuid-v7.js';
import { commandsOf, isolatedConnection, runScript, type RedisClientLike, type SendCommand } from './connection.js';
import { Batch, claimCall, claimed, readEntries, type CoreSettings, type ScriptCall, type Work } from './consumer-core.js';
import type { StreamEntry } from './decide-entry.js';

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
  const d = REDIS_PROTOCOL.defaults;
  const { client, group, consumer, handler } = options;
  const count = options.count ?? d.count;
  const blockMs = options.blockMs ?? d.blockMs;
  const concurrency = options.concurrency ?? d.concurrency;
  const idleTimeoutMs = options.idleTimeoutMs ?? d.idleTimeoutMs;
  const stats: ConsumerStats = { handled: 0, duplicates: 0, failed: 0, deadLettered: 0, reclaimed: 0, trimmed: 0, errors: 0 };
  const report = (error: unknown, stream: string, entryId?: string): void => {
    stats.errors++;
    if (options.onError) options.onError(error, { stream, ...(entryId === undefined ? {} : { entryId }) });
    else console.error(`consumeEvents [${group}/${consumer}] ${stream}${entryId ? ` ${entryId}` : ''}: ${message(error)}`);
  };
  const send = commandsOf(client);
  const token = `${consumer}/${uuidv7()}`;
  const streams = [...new Set(options.eventTypes)].map((eventType) => {
    const settings: CoreSettings = { ...seams, eventType, group, consumer, token, idleTimeoutMs, maxDeliveries: options.maxDeliveries ?? d.maxDeliveries, idempotencyWindowMs: options.idempotencyWindowMs ?? d.idempotencyWindowMs };
    return { key: EVENT_STREAM_KEYS[eventType] as string, settings, lastSeen: undefined as string | undefined };
  });
  type Stream = (typeof streams)[number];

  const createGroup = async (s: Stream, start: string): Promise<void> => {
    try {
      await send(s.key, ['XGROUP', 'CREATE', s.key, group, start, 'MKSTREAM']);
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
  };
  for (const s of streams) await createGroup(s, options.startId ?? '0');
  /** NOGROUP: the stream was deleted or Redis lost its data. Recreate the group where this consumer was, not at 0 (that would replay the stream past the idempotency window). */
  const recover = async (s: Stream, error: unknown): Promise<boolean> => {
    if (!String((error as Error)?.message).includes('NOGROUP')) return false;
    const start = s.lastSeen ?? options.startId ?? '0';
    await createGroup(s, start);
    report(new Error(`the consumer group ${group} was lost (stream deleted, or Redis restarted without persistence); recreated it at ${start}, the last entry this consumer saw`), s.key);
    return true;
  };

  let stopping = false;
  const sleepers = new Set<() => void>();
  const wake = (): void => sleepers.forEach((end) => end());
  /** A pause that ends early when the consumer stops, its timer cleared so that the process can exit. */
  const pause = (ms: number): Promise<void> => new Promise((resolve) => {
    const end = (): void => {
      clearTimeout(timer);
      sleepers.delete(end);
      resolve();
    };
    const timer = setTimeout(end, ms);
    sleepers.add(end);
  });
  const run = (call: ScriptCall): Promise<unknown> => runScript(send, call);

  /** One batch through the core: dead letters and leases in one round trip, handlers, commits flushed at the end. */
  const handleBatch = async (s: Stream, entries: StreamEntry[]): Promise<void> => {
    const batch = new Batch(s.settings, entries);
    const writes: Promise<unknown>[] = batch.deadLetters.map((dl) =>
      run(dl.call).then(() => void stats.deadLettered++, (e: unknown) => report(new Error(`could not dead-letter the entry (${dl.reason}); it stays pending: ${message(e)}`), s.key, dl.entry.id)));
    const begin = batch.beginCall();
    const { leased, duplicates } = batch.begun(begin ? await run(begin) : []);
    stats.duplicates += duplicates;
    const heartbeat = setInterval(() => {
      const call = batch.extendCall();
      if (call) run(call).then((reply) => batch.extended(call, reply).forEach((w) => report(new Error('lost the lease of an event still being handled: another consumer may handle it too; raise idleTimeoutMs above the slowest handler'), s.key, w.entry.id)), (e: unknown) => report(e, s.key));
    }, Math.max(10, Math.floor(idleTimeoutMs / 3)));
    // Successes of one turn of the event loop share one commit call: sent at the end of that turn,
    // as node-redis would send separate commands, so a crash loses no more than before.
    let succeeded: Work[] = [];
    let commitTimer: ReturnType<typeof setImmediate> | undefined;
    const commit = (): void => {
      if (commitTimer) clearImmediate(commitTimer);
      commitTimer = undefined;
      if (succeeded.length === 0) return;
      const works = succeeded;
      succeeded = [];
      writes.push(run(batch.succeeded(works)).catch((e: unknown) => report(new Error(`could not record ${works.length} handled event(s) (they will be redelivered and skipped or handled again): ${message(e)}`), s.key, works[0]!.entry.id)));
    };
    const done = (work: Work): void => {
      succeeded.push(work);
      commitTimer ??= setImmediate(commit);
    };
    const queue = [...leased];
    const worker = async (): Promise<void> => {
      for (let work = queue.shift(); work; work = queue.shift()) {
        if (stopping) {
          queue.unshift(work);
          return;
        }
        await handleOne(s, batch, work, writes, done);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      // Stopping: the events not started go back (lease released) for another consumer.
      for (const work of queue) writes.push(run(batch.abandoned(work)).catch(() => undefined));
      commit();
      await Promise.all(writes);
    } finally {
      clearInterval(heartbeat);
    }
  };

  /** Runs one handler; a success goes to `done` (committed at the end of this turn), a failure's write joins `writes`. */
  const handleOne = async (s: Stream, batch: Batch, work: Work, writes: Promise<unknown>[], done: (work: Work) => void): Promise<void> => {
    const { event, entry } = work;
    try {
      await handler(event as EventOf<T>, { stream: s.key, entryId: entry.id, deliveryCount: entry.deliveries, traceId: event.traceId === NO_TRACE_ID ? undefined : event.traceId });
    } catch (error) {
      stats.failed++;
      report(error, s.key, entry.id);
      const failure = batch.failed(work, message(error));
      if (failure.deadLettered) stats.deadLettered++;
      writes.push(run(failure.call).catch((e: unknown) => report(new Error(`could not record the failure (the entry stays pending and is retried): ${message(e)}`), s.key, entry.id)));
      return;
    }
    stats.handled++;
    done(work);
  };

  const readers: { close(): void }[] = [];
  const readLoop = async (s: Stream): Promise<void> => {
    let reader: { send: SendCommand; close(): void } | undefined;
    let backoff = 100;
    while (!stopping) {
      try {
        reader ??= await isolatedConnection(client, (error) => {
          if (!stopping) report(error, s.key);
        });
        if (!readers.includes(reader)) readers.push(reader);
        const entries = readEntries(await reader.send(s.key, ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', s.key, '>'], true));
        if (stopping && entries.length === 0) break;
        if (entries.length > 0) {
          s.lastSeen = entries[entries.length - 1]!.id;
          await handleBatch(s, entries);
        }
        backoff = 100;
      } catch (error) {
        if (stopping) break;
        if (await recover(s, error).catch(() => false)) continue;
        report(error, s.key);
        await pause(backoff); // Redis restarting, a lost connection: node-redis reconnects
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  };

  const reclaimLoop = async (): Promise<void> => {
    while (!stopping) {
      await pause(Math.max(50, Math.floor(idleTimeoutMs / 2)));
      for (const s of streams) {
        let start = '0-0';
        try {
          do {
            if (stopping) return;
            const { next, entries, trimmed } = claimed(await run(claimCall(s.settings, start, count)));
            if (trimmed.length > 0) {
              stats.trimmed += trimmed.length;
              report(new Error(`${trimmed.length} pending entries were trimmed from the stream before they were handled: ${trimmed.slice(0, 10).join(', ')}${trimmed.length > 10 ? ', ...' : ''}`), s.key);
            }
            stats.reclaimed += entries.length;
            if (entries.length > 0) await handleBatch(s, entries);
            start = next;
          } while (start !== '0-0');
        } catch (error) {
          if (!stopping && !(await recover(s, error).catch(() => false))) report(error, s.key);
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
      for (const r of readers) r.close();
      await loops.catch(() => undefined);
    })();
    return stopped;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  return { stop, stopped: loops.then(() => undefined, () => undefined), stats };
}
