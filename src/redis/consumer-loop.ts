import { EVENT_STREAM_KEYS } from '../../generated/event-types.js';
import { REDIS_PROTOCOL } from '../../generated/redis-protocol.js';
import { NO_TRACE_ID } from '../envelope.js';
import type { EventType } from '../event-types.js';
import { uuidv7 } from '../uuid-v7.js';
import { commandsOf, isolatedConnection, runScript, type SendCommand } from './connection.js';
import type { ConsumeOptions, Consumer, ConsumerStats } from './consume-events.js';
import { Batch, claimCall, claimed, readEntries, retryKey, type CoreSettings, type ScriptCall, type Work } from './consumer-core.js';
import type { StreamEntry } from './decide-entry.js';
import { consumerMetrics, type ConsumerMetrics } from './consumer-metrics.js';

const message = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

interface Stream {
  readonly key: string;
  readonly metrics: ConsumerMetrics;
  /** The group's retry stream, read beside the stream: where redriven dead letters come back. */
  readonly retry: string;
  readonly settings: CoreSettings;
  /** The last entry this consumer read: where a lost group is recreated. */
  lastSeen: string | undefined;
}

/**
 * The I/O loop around the protocol core ({@link Batch}) for `consumeEvents`: a blocking read per
 * stream on a connection of its own, a reclaim pass every half idle timeout, and per batch the
 * script calls the core asks for. Everything it decides, the core decides.
 *
 * @example
 * const consumer = await new ConsumerLoop(options, {}).start();
 */
export class ConsumerLoop {
  readonly stats: ConsumerStats = { handled: 0, duplicates: 0, failed: 0, deadLettered: 0, reclaimed: 0, trimmed: 0, errors: 0 };
  private readonly send: SendCommand;
  private readonly streams: Stream[];
  private readonly readers: { close(): void }[] = [];
  private readonly sleepers = new Set<() => void>();
  private readonly unconfirmed = new Set<Promise<void>>();
  private readonly count: number;
  private readonly blockMs: number;
  private readonly concurrency: number;
  private readonly idleTimeoutMs: number;
  private stopping = false;

  constructor(private readonly options: ConsumeOptions<EventType>, seams: Pick<CoreSettings, 'decide'>) {
    const d = REDIS_PROTOCOL.defaults;
    this.count = options.count ?? d.count;
    this.blockMs = options.blockMs ?? d.blockMs;
    this.concurrency = options.concurrency ?? d.concurrency;
    this.idleTimeoutMs = options.idleTimeoutMs ?? d.idleTimeoutMs;
    this.send = commandsOf(options.client);
    const { group, consumer } = options;
    const token = `${consumer}/${uuidv7()}`;
    const common = { ...seams, group, consumer, token, idleTimeoutMs: this.idleTimeoutMs, maxDeliveries: options.maxDeliveries ?? d.maxDeliveries, idempotencyWindowMs: options.idempotencyWindowMs ?? d.idempotencyWindowMs };
    this.streams = [...new Set(options.eventTypes)].map((eventType) => {
      const key = EVENT_STREAM_KEYS[eventType];
      return { key, retry: retryKey(key, group), metrics: consumerMetrics({ stream: key, group, eventType }), settings: { ...common, eventType }, lastSeen: undefined };
    });
  }

  /** Creates the groups, starts reading, and hands back the running consumer. */
  async start(): Promise<Consumer> {
    for (const s of this.streams) await this.createGroup(s, this.options.startId ?? '0');
    const loops = Promise.all([...this.streams.map((s) => this.readLoop(s)), this.reclaimLoop()]);
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        this.stopping = true;
        this.sleepers.forEach((end) => end());
        for (const r of this.readers) r.close();
        await loops.catch(() => undefined);
        await Promise.all(this.unconfirmed);
      })();
      return stopped;
    };
    this.options.signal?.addEventListener('abort', () => void stop(), { once: true });
    return { stop, stopped: loops.then(() => undefined, () => undefined), stats: this.stats };
  }

  private report(error: unknown, stream: string, entryId?: string): void {
    this.stats.errors++;
    const { onError, group, consumer } = this.options;
    if (onError) onError(error, { stream, ...(entryId === undefined ? {} : { entryId }) });
    else console.error(`consumeEvents [${group}/${consumer}] ${stream}${entryId ? ` ${entryId}` : ''}: ${message(error)}`);
  }

  private run(call: ScriptCall): Promise<unknown> {
    return runScript(this.send, call);
  }

  /** A pause that ends early when the consumer stops, its timer cleared so that the process can exit. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.sleepers.add(end);
    });
  }

  /** The group on the stream (from `start`) and on its retry stream (from the beginning), if missing. */
  private async createGroup(s: Stream, start: string): Promise<void> {
    for (const [key, from] of [[s.key, start], [s.retry, '0']] as const) {
      try {
        await this.send(key, ['XGROUP', 'CREATE', key, this.options.group, from, 'MKSTREAM']);
      } catch (e) {
        if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
      }
    }
  }

  /** NOGROUP: the stream was deleted or Redis lost its data. Recreate the group where this consumer was, not at 0 (that would replay the stream past the idempotency window). */
  private async recover(s: Stream, error: unknown): Promise<boolean> {
    if (!String((error as Error)?.message).includes('NOGROUP')) return false;
    const start = s.lastSeen ?? this.options.startId ?? '0';
    await this.createGroup(s, start);
    this.report(new Error(`the consumer group ${this.options.group} was lost (stream deleted, or Redis restarted without persistence); recreated it at ${start}, the last entry this consumer saw`), s.key);
    return true;
  }

  private async readLoop(s: Stream): Promise<void> {
    let reader: { send: SendCommand; close(): void } | undefined;
    let backoff = 100;
    const { group, consumer } = this.options;
    while (!this.stopping) {
      try {
        reader ??= await isolatedConnection(this.options.client, (error) => {
          if (!this.stopping) this.report(error, s.key);
        });
        if (!this.readers.includes(reader)) this.readers.push(reader);
        // The stream and the group's retry stream share a cluster slot: one read for both.
        const read = readEntries(await reader.send(s.key, ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', this.count, 'BLOCK', this.blockMs, 'STREAMS', s.key, s.retry, '>', '>'], true));
        if (this.stopping && read.size === 0) break;
        const entries = read.get(s.key);
        if (entries) {
          s.lastSeen = entries[entries.length - 1]!.id;
          await this.handleBatch(s, entries);
        }
        const retried = read.get(s.retry);
        if (retried) await this.handleBatch(s, retried, s.retry);
        backoff = 100;
      } catch (error) {
        if (this.stopping) break;
        if (await this.recover(s, error).catch(() => false)) continue;
        this.report(error, s.key);
        await this.pause(backoff); // Redis restarting, a lost connection: node-redis reconnects
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  }

  private async reclaimLoop(): Promise<void> {
    while (!this.stopping) {
      await this.pause(Math.max(50, Math.floor(this.idleTimeoutMs / 2)));
      for (const s of this.streams) {
        if (this.stopping) return;
        try {
          await this.reclaim(s, s.key);
          await this.reclaim(s, s.retry);
        } catch (error) {
          if (!this.stopping && !(await this.recover(s, error).catch(() => false))) this.report(error, s.key);
        }
      }
    }
  }

  /** One pass over the stream's pending list: entries idle past the timeout are taken and handled. */
  private async reclaim(s: Stream, from: string): Promise<void> {
    let start = '0-0';
    do {
      const { next, entries, trimmed } = claimed(await this.run(claimCall(s.settings, start, this.count, from)));
      if (trimmed.length > 0) {
        this.stats.trimmed += trimmed.length;
        this.report(new Error(`${trimmed.length} pending entries were trimmed from the stream before they were handled: ${trimmed.slice(0, 10).join(', ')}${trimmed.length > 10 ? ', ...' : ''}`), s.key);
      }
      this.stats.reclaimed += entries.length;
      if (entries.length > 0) await this.handleBatch(s, entries, from);
      start = next;
    } while (start !== '0-0' && !this.stopping);
  }

  /** One batch through the core: dead letters and leases in one round trip, handlers, outcomes flushed by the end. */
  private async handleBatch(s: Stream, entries: StreamEntry[], from: string = s.key): Promise<void> {
    const batch = new Batch(s.settings, entries, from);
    s.metrics.consumed(entries.length);
    const writes: Promise<unknown>[] = batch.deadLetters.map((dl) =>
      this.run(dl.call).then(() => {
        this.stats.deadLettered++;
        s.metrics.deadLettered(dl.reason);
      }, (e: unknown) => this.report(new Error(`could not dead-letter the entry (${dl.reason}); it stays pending: ${message(e)}`), s.key, dl.entry.id)));
    const begin = batch.beginCall();
    const { leased, duplicates } = batch.begun(begin ? await this.run(begin) : []);
    this.stats.duplicates += duplicates;
    if (duplicates > 0) s.metrics.duplicates(duplicates);
    const heartbeat = setInterval(() => this.extend(s, batch), Math.max(10, Math.floor(this.idleTimeoutMs / 3)));
    try {
      await this.runHandlers(s, batch, leased, writes);
    } finally {
      clearInterval(heartbeat);
    }
    // Every outcome is sent by now; the next read need not wait for Redis to confirm them (they are
    // ordered before the next batch's commands on this connection). stop() waits for them.
    const confirmed = Promise.all(writes).then(() => void this.unconfirmed.delete(confirmed));
    this.unconfirmed.add(confirmed);
  }

  /** Renews the leases of the batch's unfinished events; reports the ones lost. */
  private extend(s: Stream, batch: Batch): void {
    const call = batch.extendCall();
    if (!call) return;
    this.run(call).then(
      (reply) => batch.extended(call, reply).forEach((w) => this.report(new Error('lost the lease of an event still being handled: another consumer may handle it too; raise idleTimeoutMs above the slowest handler'), s.key, w.entry.id)),
      (e: unknown) => this.report(e, s.key),
    );
  }

  /**
   * Runs the leased events' handlers, `concurrency` at once, in order. Successes of one turn of the
   * event loop share one commit call, sent at the end of that turn (as node-redis would send
   * separate commands), so a crash loses no more than before. Stopping, the events not started are
   * released for another consumer.
   */
  private async runHandlers(s: Stream, batch: Batch, leased: readonly Work[], writes: Promise<unknown>[]): Promise<void> {
    let succeeded: Work[] = [];
    let timer: ReturnType<typeof setImmediate> | undefined;
    const commit = (): void => {
      if (timer) clearImmediate(timer);
      timer = undefined;
      if (succeeded.length === 0) return;
      const works = succeeded;
      succeeded = [];
      writes.push(this.run(batch.succeeded(works)).catch((e: unknown) => this.report(new Error(`could not record ${works.length} handled event(s) (they will be redelivered and skipped or handled again): ${message(e)}`), s.key, works[0]!.entry.id)));
    };
    const queue = [...leased];
    const worker = async (): Promise<void> => {
      while (queue.length > 0 && !this.stopping) {
        const work = queue.shift()!;
        if (await this.handleOne(s, batch, work, writes)) {
          succeeded.push(work);
          timer ??= setImmediate(commit);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    for (const work of queue) writes.push(this.run(batch.abandoned(work)).catch(() => undefined));
    commit();
  }

  /** Runs one handler: true when it succeeded; a failure's write (release or dead letter) joins `writes`. */
  private async handleOne(s: Stream, batch: Batch, work: Work, writes: Promise<unknown>[]): Promise<boolean> {
    const { event, entry } = work;
    const started = performance.now();
    try {
      await this.options.handler(event, { stream: s.key, entryId: entry.id, deliveryCount: entry.deliveries, traceId: event.traceId === NO_TRACE_ID ? undefined : event.traceId });
      this.stats.handled++;
      s.metrics.handled((performance.now() - started) / 1000);
      return true;
    } catch (error) {
      this.stats.failed++;
      s.metrics.failed((performance.now() - started) / 1000, error instanceof Error ? error.name : typeof error);
      this.report(error, s.key, entry.id);
      const failure = batch.failed(work, message(error));
      if (failure.deadLettered) {
        this.stats.deadLettered++;
        s.metrics.deadLettered('max-deliveries');
      }
      writes.push(this.run(failure.call).catch((e: unknown) => this.report(new Error(`could not record the failure (the entry stays pending and is retried): ${message(e)}`), s.key, entry.id)));
      return false;
    }
  }
}
