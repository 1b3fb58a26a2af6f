import { EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS } from '../../generated/event-types.js';
import { REDIS_PROTOCOL } from '../../generated/redis-protocol.js';
import type { EventType } from '../event-types.js';
import { commandsOf, runScript, type RedisClientLike } from './connection.js';
import { retryKey, type ScriptCall } from './consumer-core.js';
import { readDeadLetters, type DeadLetterEntry } from './dead-letters.js';
import { decideEntry, type DeadLetterIssue } from './decide-entry.js';

/**
 * What became of one selected dead letter.
 *
 * @example
 * const o: RedriveOutcome = { entryId: '1764-0', outcome: 'redriven', group: 'ledger', newId: '1765-0' };
 */
export type RedriveOutcome =
  | { readonly entryId: string; readonly outcome: 'redriven'; readonly group: string; readonly newId: string | undefined }
  | { readonly entryId: string; readonly outcome: 'kept'; readonly group: string; readonly errors: readonly DeadLetterIssue[] };

/**
 * Options of {@link redriveDeadLetters}.
 *
 * @example
 * const options: RedriveOptions = { reason: 'max-deliveries', dryRun: true };
 */
export interface RedriveOptions {
  /** Only the dead letters of this reason. */
  readonly reason?: string | undefined;
  /** Only these dead-letter entry ids. */
  readonly ids?: readonly string[] | undefined;
  /** Decide, report, and change nothing. */
  readonly dryRun?: boolean | undefined;
}

const PAGE = 1000;

/**
 * Sends dead letters back to the group that gave up on them, and to no other (its retry stream,
 * which that group's consumers read): each selected dead letter is validated against the current
 * contract first, as a consumer would decide it; a valid one is moved back unchanged (same fields,
 * same eventId) and removed from the dead-letter stream in one atomic script, so a redrive killed
 * at any point loses and duplicates nothing (run it again to finish). An invalid one stays, with its
 * errors. Moves are pipelined, a page at a time.
 *
 * @example
 * for await (const o of redriveDeadLetters(redis, 'payment.completed', { reason: 'max-deliveries' })) console.log(o);
 */
export async function* redriveDeadLetters(client: RedisClientLike, eventType: EventType, options: RedriveOptions = {}): AsyncGenerator<RedriveOutcome> {
  const send = commandsOf(client);
  const ids = options.ids ? new Set(options.ids) : undefined;
  let page: DeadLetterEntry[] = [];
  const flush = async function* (): AsyncGenerator<RedriveOutcome> {
    const decided = page.map((d) => ({ d, kept: verdict(eventType, d) }));
    page = [];
    const moves = decided.map(({ d, kept }) => (kept || options.dryRun ? Promise.resolve(undefined) : runScript(send, redriveCall(eventType, d))));
    const results = await Promise.all(moves);
    for (const [i, { d, kept }] of decided.entries()) {
      if (kept) yield { entryId: d.entryId, outcome: 'kept', group: d.group, errors: kept };
      else yield { entryId: d.entryId, outcome: 'redriven', group: d.group, newId: results[i] == null ? undefined : String(results[i]) };
    }
  };
  for await (const d of readDeadLetters(client, eventType, options.reason === undefined ? {} : { reason: options.reason })) {
    if (ids && !ids.has(d.entryId)) continue;
    page.push(d);
    if (page.length >= PAGE) yield* flush();
  }
  yield* flush();
}

/** Why a dead letter must stay, or undefined when it can go back. */
function verdict(eventType: EventType, d: DeadLetterEntry): readonly DeadLetterIssue[] | undefined {
  if (!d.group) return [{ instancePath: '', keyword: 'group', params: {}, message: 'has no deadLetter.group (written before the field existed): no group to send it back to; republish it instead' }];
  const decision = decideEntry(eventType, { id: d.originalId, fields: d.fields, deliveries: 1 }, 1);
  return decision.action === 'handle' ? undefined : decision.errors;
}

function redriveCall(eventType: EventType, d: DeadLetterEntry): ScriptCall {
  return { script: 'redrive', keys: [EVENT_DEAD_LETTER_KEYS[eventType], retryKey(EVENT_STREAM_KEYS[eventType], d.group)], args: [d.entryId, REDIS_PROTOCOL.deadLetterFieldPrefix, REDIS_PROTOCOL.shadowPrefix] };
}
