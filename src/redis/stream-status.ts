import { EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS } from '../../generated/event-types.js';
import type { EventType } from '../event-types.js';
import { commandsOf, type RedisClientLike, type SendCommand } from './connection.js';

/**
 * One consumer group of a stream, as `goodgo-events status` shows it.
 *
 * @example
 * const g: GroupStatus = { name: 'ledger', lag: 0, lagExact: true, pending: 0, oldestPendingIdleMs: undefined, consumers: ['ledger-1'] };
 */
export interface GroupStatus {
  readonly name: string;
  /** Entries after the group's last-delivered id, counted (not Redis's `lag`, which is wrong after XDEL or trimming). */
  readonly lag: number;
  /** False when counting stopped at the bound: the lag is at least `lag`. */
  readonly lagExact: boolean;
  readonly pending: number;
  /** Idle time of the oldest pending entry, or undefined when nothing is pending. */
  readonly oldestPendingIdleMs: number | undefined;
  readonly consumers: readonly string[];
}

/**
 * The state of one event type's stream.
 *
 * @example
 * const s: StreamStatus = { eventType: 'payment.completed', stream: 'events:payment.completed', length: 10, deadLetters: 0, groups: [] };
 */
export interface StreamStatus {
  readonly eventType: EventType;
  readonly stream: string;
  readonly length: number;
  readonly deadLetters: number;
  readonly groups: readonly GroupStatus[];
}

const str = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString() : String(v));

/** An XINFO reply row as a map: RESP2 gives [k, v, k, v, ...], RESP3 a Map or an object. */
function row(reply: unknown): Map<string, unknown> {
  if (reply instanceof Map) return new Map([...reply].map(([k, v]) => [str(k), v]));
  if (Array.isArray(reply)) return new Map(reply.flatMap((_, i) => (i % 2 ? [] : [[str(reply[i]), reply[i + 1]] as [string, unknown]])));
  if (typeof reply === 'object' && reply !== null) return new Map(Object.entries(reply));
  return new Map();
}

async function countAfter(send: SendCommand, key: string, id: string, bound: number): Promise<{ lag: number; exact: boolean }> {
  let lag = 0;
  let start = `(${id}`;
  for (;;) {
    const want = Math.min(1000, bound + 1 - lag);
    const page = (await send(key, ['XRANGE', key, start, '+', 'COUNT', want])) as [unknown, unknown][];
    lag += page.length;
    if (page.length < want) return { lag, exact: true };
    if (lag > bound) return { lag: bound, exact: false };
    start = `(${str(page[page.length - 1]![0])}`;
  }
}

/**
 * Reads the state of each event type's stream: its length, its dead letters, and per consumer
 * group its lag (counted after the last-delivered id, up to `lagBound`), pending entries, the
 * oldest pending entry's idle time, and its consumers. Read-only.
 *
 * @example
 * const [s] = await streamStatus(redis, ['payment.completed']);
 * s.groups.map((g) => [g.name, g.lag, g.pending]);
 */
export async function streamStatus(client: RedisClientLike, eventTypes: readonly EventType[], options: { lagBound?: number } = {}): Promise<StreamStatus[]> {
  const send = commandsOf(client);
  const bound = options.lagBound ?? 100_000;
  const out: StreamStatus[] = [];
  for (const eventType of eventTypes) {
    const key = EVENT_STREAM_KEYS[eventType];
    const dead = EVENT_DEAD_LETTER_KEYS[eventType];
    const [length, deadLetters] = (await Promise.all([send(key, ['XLEN', key]), send(dead, ['XLEN', dead])])).map(Number) as [number, number];
    const groups: GroupStatus[] = [];
    const infos = length > 0 || (await send(key, ['EXISTS', key])) === 1 ? ((await send(key, ['XINFO', 'GROUPS', key])) as unknown[]) : [];
    for (const info of infos.map(row)) {
      const name = str(info.get('name'));
      const { lag, exact } = await countAfter(send, key, str(info.get('last-delivered-id')), bound);
      const oldest = (await send(key, ['XPENDING', key, name, '-', '+', 1])) as [unknown, unknown, unknown, unknown][];
      const consumers = ((await send(key, ['XINFO', 'CONSUMERS', key, name])) as unknown[]).map((c) => str(row(c).get('name')));
      groups.push({ name, lag, lagExact: exact, pending: Number(info.get('pending')), oldestPendingIdleMs: oldest[0] ? Number(oldest[0][2]) : undefined, consumers });
    }
    out.push({ eventType, stream: key, length, deadLetters, groups });
  }
  return out;
}
