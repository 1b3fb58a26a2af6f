import { EVENT_DEAD_LETTER_KEYS } from '../../generated/event-types.js';
import { REDIS_PROTOCOL } from '../../generated/redis-protocol.js';
import type { EventType } from '../event-types.js';
import { commandsOf, type RedisClientLike } from './connection.js';
import type { DeadLetterIssue } from './decide-entry.js';

/**
 * One dead letter, as `goodgo-events dlq list` shows it.
 *
 * @example
 * const d: DeadLetter = { entryId: '1764-0', originalId: '1763-0', stream: 'events:payment.completed', group: 'ledger', reason: 'invalid', errors: [], deliveries: 1, ageMs: 5000, envelope: '{...}' };
 */
export interface DeadLetterEntry {
  /** The entry's id in the dead-letter stream. */
  readonly entryId: string;
  /** The id the entry had on its stream (`deadLetter.id`). */
  readonly originalId: string;
  readonly stream: string;
  /** The consumer group that gave up on it; empty for dead letters written before the field existed. */
  readonly group: string;
  readonly reason: string;
  readonly errors: readonly DeadLetterIssue[];
  readonly deliveries: number;
  /** How long ago it was dead-lettered (from the entry id's time). */
  readonly ageMs: number;
  /** The original `envelope` field as text (invalid UTF-8 shown with U+FFFD), or undefined if it had none. */
  readonly envelope: string | undefined;
  /** The original fields, byte for byte (`[name, value, ...]`, the dead-letter fields left out). */
  readonly fields: readonly Uint8Array[];
}

const DL = REDIS_PROTOCOL.deadLetterFields;
const PAGE = 1000;

/**
 * Reads the dead letters of an event type, oldest first, page by page (XRANGE, 1000 at a time),
 * optionally only those of one reason. Read-only.
 *
 * @example
 * for await (const d of readDeadLetters(redis, 'payment.completed', { reason: 'max-deliveries' })) console.log(d.entryId, d.errors);
 */
export async function* readDeadLetters(client: RedisClientLike, eventType: EventType, options: { reason?: string; now?: () => number } = {}): AsyncGenerator<DeadLetterEntry> {
  const key = EVENT_DEAD_LETTER_KEYS[eventType];
  const send = commandsOf(client);
  const now = options.now ?? Date.now;
  let start = '-';
  for (;;) {
    const rows = (await send(key, ['XRANGE', key, start, '+', 'COUNT', PAGE], true)) as [Buffer, Buffer[]][] | null;
    if (!rows || rows.length === 0) return;
    for (const [id, flat] of rows) {
      const entry = deadLetterOf(id.toString(), flat, now());
      if (options.reason === undefined || entry.reason === options.reason) yield entry;
    }
    if (rows.length < PAGE) return;
    start = `(${rows[rows.length - 1]![0].toString()}`;
  }
}

/** The fields the entry had on its stream: the dead-letter fields dropped, shadowed names restored. */
function originalFields(flat: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toString('latin1');
    if (name.startsWith(REDIS_PROTOCOL.deadLetterFieldPrefix)) continue;
    out.push(name.startsWith(REDIS_PROTOCOL.shadowPrefix) ? flat[i]!.subarray(REDIS_PROTOCOL.shadowPrefix.length) : flat[i]!, flat[i + 1]!);
  }
  return out;
}

function deadLetterOf(entryId: string, flat: readonly Buffer[], now: number): DeadLetterEntry {
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!.toString(), flat[i + 1]!);
  const text = (name: string): string => fields.get(name)?.toString() ?? '';
  let errors: DeadLetterIssue[] = [];
  try {
    errors = JSON.parse(text(DL.errors)) as DeadLetterIssue[];
  } catch {
    errors = [{ instancePath: '', keyword: 'unreadable', params: {}, message: `the dead letter's ${DL.errors} field is not JSON` }];
  }
  return {
    entryId,
    originalId: text(DL.id),
    stream: text(DL.stream),
    group: text(DL.group),
    reason: text(DL.reason),
    errors,
    deliveries: Number(text(DL.deliveries)) || 0,
    ageMs: Math.max(0, now - Number(entryId.split('-')[0])),
    envelope: fields.get(REDIS_PROTOCOL.entryField)?.toString(),
    fields: originalFields(flat),
  };
}

/**
 * What {@link purgeDeadLetters} deleted: how many, and the first and last entry ids.
 *
 * @example
 * const p: Purged = { count: 12, first: '1764000000000-0', last: '1764003600000-3' };
 */
export interface Purged {
  readonly count: number;
  readonly first: string | undefined;
  readonly last: string | undefined;
}

/**
 * Deletes dead letters of an event type, as a retention policy an operator runs (a cron job): those
 * older than `olderThanMs` (XTRIM MINID, exact) and/or all but the newest `keep` (XTRIM MAXLEN,
 * exact), and says what it deleted; with `dryRun`, only says what it would delete.
 *
 * @example
 * await purgeDeadLetters(redis, 'payment.completed', { olderThanMs: 7 * 86_400_000 }); // { count: 12, first: '...', last: '...' }
 */
export async function purgeDeadLetters(client: RedisClientLike, eventType: EventType, policy: { olderThanMs?: number | undefined; keep?: number | undefined; dryRun?: boolean; now?: () => number }): Promise<Purged> {
  const key = EVENT_DEAD_LETTER_KEYS[eventType];
  const send = commandsOf(client);
  const idAt = async (args: (string | number)[], index = 0): Promise<string | undefined> => {
    const rows = (await send(key, args)) as [unknown, unknown][] | null;
    return rows?.[index] ? String(rows[index][0]) : undefined;
  };
  // The newest entry to delete: by age, the last before the bound; by count, the (keep+1)th newest.
  const byAge = policy.olderThanMs === undefined ? undefined : await idAt(['XREVRANGE', key, `(${Math.max(0, (policy.now ?? Date.now)() - policy.olderThanMs)}-0`, '-', 'COUNT', 1]);
  const byCount = policy.keep === undefined ? undefined : await idAt(['XREVRANGE', key, '+', '-', 'COUNT', policy.keep + 1], policy.keep);
  const last = [byAge, byCount].filter((id): id is string => id !== undefined).sort(compareIds).pop();
  if (last === undefined) return { count: 0, first: undefined, last: undefined };
  const first = await idAt(['XRANGE', key, '-', '+', 'COUNT', 1]);
  let count = 0;
  for (let start = '-'; ; ) {
    const rows = (await send(key, ['XRANGE', key, start, last, 'COUNT', PAGE])) as [unknown, unknown][];
    count += rows.length;
    if (policy.dryRun !== true && rows.length > 0) await send(key, ['XDEL', key, ...rows.map((r) => String(r[0]))]);
    if (rows.length < PAGE) break;
    start = `(${String(rows[rows.length - 1]![0])}`;
  }
  return { count, first, last };
}

/** Orders stream entry ids (`ms-seq`) as Redis does. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}
