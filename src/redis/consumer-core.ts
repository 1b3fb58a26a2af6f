import { REDIS_PROTOCOL, REDIS_SCRIPTS, type DeadLetterReason } from '../../generated/redis-protocol.js';
import { EVENT_STREAM_KEYS } from '../../generated/event-types.js';
import type { EventType, KnownEvent } from '../event-types.js';
import { deadLetterFields, deadLetterStreamOf, decideEntry, handlerFailure, type DeadLetterIssue, type StreamEntry } from './decide-entry.js';

/**
 * One Lua script of the protocol to run, with its keys (all in the stream's cluster slot) and
 * arguments. The core only builds these; the loop around it sends them (EVALSHA, then EVAL on
 * NOSCRIPT).
 *
 * @example
 * const call: ScriptCall = { script: 'commit', keys: ['events:a.b', '{events:a.b}:handled:g:...'], args: ['g', '86400000', '1-0'] };
 */
export interface ScriptCall {
  readonly script: keyof typeof REDIS_SCRIPTS;
  readonly keys: readonly string[];
  readonly args: readonly (string | Uint8Array)[];
}

/**
 * What the core needs to know about the consumer (one per stream it reads).
 *
 * @example
 * const settings: CoreSettings = { eventType: 'payment.completed', group: 'ledger', consumer: 'ledger-1', token: 'ledger-1/0193...', idleTimeoutMs: 30000, maxDeliveries: 5, idempotencyWindowMs: 86400000 };
 */
export interface CoreSettings {
  readonly eventType: EventType;
  readonly group: string;
  readonly consumer: string;
  /** Unique to this consumer instance: the value of its leases. */
  readonly token: string;
  readonly idleTimeoutMs: number;
  readonly maxDeliveries: number;
  readonly idempotencyWindowMs: number;
  /** How an entry is decided: {@link decideEntry} unless a benchmark swaps it (to price validation). */
  readonly decide?: typeof decideEntry;
}

/**
 * One event of a batch to hand to the handler: its entries (an event published twice can come
 * twice in one batch; all are acked together), its lease key and delivery count.
 *
 * @example
 * for (const work of batch.begun(reply).leased) await handler(work.event, ...);
 */
export interface Work {
  readonly event: KnownEvent;
  readonly entry: StreamEntry;
  readonly entryIds: readonly string[];
  readonly key: string;
}

/**
 * An entry the core decided to dead-letter before any handler ran, with the call that does it.
 *
 * @example
 * for (const d of batch.deadLetters) send(d.call).catch((e) => report(d.entry.id, e));
 */
export interface DeadLetter {
  readonly entry: StreamEntry;
  readonly reason: DeadLetterReason;
  readonly call: ScriptCall;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString() : String(v));

/**
 * The key of an event's lease and done mark: `{<stream>}:handled:<group>:<eventId>`, in the
 * stream's cluster slot.
 *
 * @example
 * handledKey('events:payment.completed', 'ledger', '0193...'); // '{events:payment.completed}:handled:ledger:0193...'
 */
export function handledKey(stream: string, group: string, eventId: string): string {
  return REDIS_PROTOCOL.handledKey.replace('<stream>', stream).replace('<group>', group).replace('<eventId>', eventId);
}

/**
 * A group's retry stream, `{<stream>}:retry:<group>`: where `goodgo-events dlq redrive` sends a
 * dead letter back to the group that gave up on it, and to no other. The group's consumers read it
 * beside the stream (same cluster slot, so one XREADGROUP reads both).
 *
 * @example
 * retryKey('events:payment.completed', 'ledger'); // '{events:payment.completed}:retry:ledger'
 */
export function retryKey(stream: string, group: string): string {
  return REDIS_PROTOCOL.retryStream.replace('<stream>', stream).replace('<group>', group);
}

/**
 * The consumer protocol for one batch of entries of one stream, as a pure state machine
 * (sans-I/O): entries and Redis replies go in, {@link ScriptCall}s come out. The TypeScript loop
 * and both Python loops drive the same steps:
 *
 * 1. `deadLetters`: entries that cannot be handled, each copied and acked atomically.
 * 2. `beginCall()` once per batch: leases every event (`SET NX` with the idle timeout) or acks the
 *    ones the group has handled already; `begun(reply)` says which to hand to the handler.
 * 3. While handlers run, `extendCall()` every third of the idle timeout renews the leases and
 *    resets the entries' idle time, so no other consumer reclaims a slow but healthy batch.
 * 4. Per event, `succeeded(works)` (done mark and XACK in one script, sent without waiting) or
 *    `failed(work, error)` (lease released for a retry, or dead-lettered on the last delivery).
 *
 * @example
 * const batch = new Batch(settings, entries);
 * const { leased } = batch.begun(await run(batch.beginCall()!));
 */
export class Batch {
  readonly deadLetters: readonly DeadLetter[];
  private readonly works: Work[] = [];
  private readonly unsettled = new Set<Work>();
  private readonly stream: string;

  /**
   * @param from the stream the entries were read from: the event type's stream (the default), or
   *   the group's retry stream. Leases and done marks are keyed by the event type's stream either way.
   */
  constructor(private readonly settings: CoreSettings, entries: readonly StreamEntry[], from?: string) {
    this.stream = from ?? EVENT_STREAM_KEYS[settings.eventType];
    const main = EVENT_STREAM_KEYS[settings.eventType];
    const deadLetters: DeadLetter[] = [];
    const byEventId = new Map<string, { work: Work; ids: string[] }>();
    for (const entry of entries) {
      const decision = (settings.decide ?? decideEntry)(settings.eventType, entry, settings.maxDeliveries);
      if (decision.action === 'dead-letter') {
        deadLetters.push({ entry, reason: decision.reason, call: this.deadLetterCall(entry, decision.reason, decision.errors) });
        continue;
      }
      const same = byEventId.get(decision.event.eventId);
      if (same) {
        same.ids.push(entry.id);
        continue;
      }
      const ids = [entry.id];
      const work: Work = { event: decision.event, entry, entryIds: ids, key: handledKey(main, settings.group, decision.event.eventId) };
      byEventId.set(decision.event.eventId, { work, ids });
      this.works.push(work);
    }
    this.deadLetters = deadLetters;
  }

  /** The one call that leases the batch's events, or `undefined` when none is left to handle. */
  beginCall(): ScriptCall | undefined {
    if (this.works.length === 0) return undefined;
    const { group, token, idleTimeoutMs } = this.settings;
    return { script: 'begin', keys: [this.stream, ...this.works.map((w) => w.key)], args: [group, token, String(idleTimeoutMs), ...this.idList(this.works)] };
  }

  /**
   * Reads the reply of `beginCall()`: the events to hand to the handler, in stream order, and
   * how many were handled before (acked now) or are leased by another consumer (left pending).
   */
  begun(reply: unknown): { readonly leased: readonly Work[]; readonly duplicates: number; readonly busy: number } {
    const states = Array.isArray(reply) ? reply.map(text) : [];
    const leased: Work[] = [];
    let duplicates = 0;
    let busy = 0;
    this.works.forEach((work, i) => {
      const state = states[i];
      if (state === 'leased') {
        // Its other entries in this batch (the event published twice) are acked with it: duplicates.
        leased.push(work);
        this.unsettled.add(work);
        duplicates += work.entryIds.length - 1;
      } else if (state === 'done') duplicates += work.entryIds.length;
      else busy++;
    });
    return { leased, duplicates, busy };
  }

  /** The heartbeat for the events whose handlers have not finished, or `undefined` when all have. */
  extendCall(): ScriptCall | undefined {
    if (this.unsettled.size === 0) return undefined;
    const works = [...this.unsettled];
    const { group, consumer, token, idleTimeoutMs } = this.settings;
    return { script: 'extend', keys: [this.stream, ...works.map((w) => w.key)], args: [group, consumer, token, String(idleTimeoutMs), ...this.idList(works)] };
  }

  /** Reads the reply of an `extendCall()` made for `works`: the events whose lease was lost. */
  extended(call: ScriptCall, reply: unknown): Work[] {
    const keys = call.keys.slice(1);
    const flags = Array.isArray(reply) ? reply.map(Number) : [];
    return [...this.unsettled].filter((w) => flags[keys.indexOf(w.key)] === 0);
  }

  /**
   * Handlers succeeded: each event's done mark and XACK, in one script. The loop passes the events
   * whose handlers finished together (in one turn of its event loop), so they share one call.
   */
  succeeded(works: readonly Work[]): ScriptCall {
    for (const work of works) this.unsettled.delete(work);
    return { script: 'commit', keys: [this.stream, ...works.map((w) => w.key)], args: [this.settings.group, String(this.settings.idempotencyWindowMs), ...this.idList(works)] };
  }

  /**
   * The handler threw. Before the last delivery: release the lease, the entry stays pending and is
   * retried after the idle timeout. On the last (`deliveries >= maxDeliveries`): dead-letter it now.
   */
  failed(work: Work, error: string): { readonly call: ScriptCall; readonly deadLettered: boolean } {
    this.unsettled.delete(work);
    const { maxDeliveries } = this.settings;
    if (work.entry.deliveries < maxDeliveries) return { call: this.abandoned(work), deadLettered: false };
    return { call: this.deadLetterCall(work.entry, 'max-deliveries', handlerFailure(work.entry.deliveries, maxDeliveries, error), work.key), deadLettered: true };
  }

  /** The consumer is stopping before this event's handler started: release its lease for another consumer. */
  abandoned(work: Work): ScriptCall {
    this.unsettled.delete(work);
    return { script: 'release', keys: [work.key], args: [this.settings.token] };
  }

  private deadLetterCall(entry: StreamEntry, reason: DeadLetterReason, errors: readonly DeadLetterIssue[], key?: string): ScriptCall {
    const { eventType, group, token } = this.settings;
    const fields = deadLetterFields(entry, { eventType, group, reason, errors });
    return { script: 'deadLetter', keys: [this.stream, deadLetterStreamOf(eventType), ...(key ? [key] : [])], args: [group, token, entry.id, ...fields] };
  }

  private idList(works: readonly Work[]): string[] {
    return works.flatMap((w) => [String(w.entryIds.length), ...w.entryIds]);
  }
}

/**
 * The reclaim step (XAUTOCLAIM plus each entry's delivery count, one script call) and its reply.
 *
 * @example
 * const { entries, trimmed, next } = claimed(await run(claimCall(settings, '0-0', 50)));
 */
export function claimCall(settings: CoreSettings, start: string, count: number, from?: string): ScriptCall {
  const { group, consumer, idleTimeoutMs } = settings;
  return { script: 'claim', keys: [from ?? EVENT_STREAM_KEYS[settings.eventType]], args: [group, consumer, String(idleTimeoutMs), start, String(count)] };
}

/**
 * Reads the reply of {@link claimCall}: the entries now owned by this consumer with their delivery
 * counts, the ids of pending entries that were trimmed away (lost before anyone handled them:
 * report them), and where the next call starts (`0-0` once the whole pending list was scanned).
 *
 * @example
 * claimed(['0-0', [['1-0', [...]]], [], [2]]); // { next: '0-0', entries: [{ id: '1-0', fields, deliveries: 2 }], trimmed: [] }
 */
export function claimed(reply: unknown): { readonly next: string; readonly entries: StreamEntry[]; readonly trimmed: string[] } {
  const r = Array.isArray(reply) ? reply : [];
  const rows = Array.isArray(r[1]) ? (r[1] as unknown[]) : [];
  const counts = Array.isArray(r[3]) ? (r[3] as unknown[]) : [];
  const entries: StreamEntry[] = [];
  rows.forEach((row, i) => {
    if (Array.isArray(row) && Array.isArray(row[1])) entries.push({ id: text(row[0]), fields: row[1] as Uint8Array[], deliveries: Number(counts[i] ?? 1) });
  });
  return { next: r[0] === undefined ? '0-0' : text(r[0]), entries, trimmed: Array.isArray(r[2]) ? r[2].map(text) : [] };
}

/**
 * The entries of an XREADGROUP reply by stream, first delivery: `[[key, [[id, [f, v, ...]], ...]]]`
 * (RESP2), a map or object keyed by stream (RESP3), null on a timeout.
 *
 * @example
 * readEntries([['events:a.b', [['1-0', ['envelope', '{...}']]]]]); // Map { 'events:a.b' => [{ id: '1-0', fields: [...], deliveries: 1 }] }
 */
export function readEntries(reply: unknown): Map<string, StreamEntry[]> {
  let pairs: [unknown, unknown][] = [];
  if (Array.isArray(reply)) pairs = reply.map((stream) => (Array.isArray(stream) ? [stream[0], stream[1]] : [undefined, undefined]));
  else if (reply instanceof Map) pairs = [...reply.entries()];
  else if (typeof reply === 'object' && reply !== null) pairs = Object.entries(reply);
  const out = new Map<string, StreamEntry[]>();
  for (const [stream, list] of pairs) {
    if (!Array.isArray(list)) continue;
    const entries = (list as unknown[]).filter((e): e is [unknown, Uint8Array[]] => Array.isArray(e) && Array.isArray(e[1])).map((e) => ({ id: text(e[0]), fields: e[1], deliveries: 1 }));
    if (entries.length > 0) out.set(text(stream), entries);
  }
  return out;
}
