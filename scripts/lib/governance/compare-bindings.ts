import type { ContractData } from '../contract/load-contract.js';
import type { CompatRow } from './compare-contracts.js';

/** What a contract from before the structured binding used (the prose of x-redis-streams then). */
const LEGACY = { entryField: 'envelope', deadLetterStream: '<stream>:dead-letter', handledKey: 'events:handled:<group>:<eventId>' } as const;


/**
 * Compares the wire of the Redis binding: the entry field, the key templates of dead letters and
 * idempotency marks, the dead-letter fields and the event limits. Any change is breaking (running
 * consumers and tools read the old wire); compareContracts lets a declared one through.
 *
 * @example
 * compareBindings(base, head); // [{ eventType: '(redis binding)', pointer: '/servers/redis/x-redis-streams/deadLetterStream', ... }]
 */
export function compareBindings(base: ContractData, head: ContractData): CompatRow[] {
  const at = (field: string): string => `/servers/redis/x-redis-streams/${field}`;
  const rows: CompatRow[] = [];
  const row = (pointer: string, change: string, producers: boolean): void => {
    rows.push({ eventType: '(redis binding)', pointer, change, producers: producers ? 'breaking' : 'safe', consumers: 'breaking', reason: 'running consumers and tools read the old wire' });
  };
  const b = base.binding;
  const h = head.binding;
  for (const field of ['entryField', 'deadLetterStream', 'handledKey'] as const) {
    const before = b?.[field] ?? LEGACY[field];
    const after = h?.[field] ?? LEGACY[field];
    if (before !== after) row(at(field), `${field} changed from ${JSON.stringify(before)} to ${JSON.stringify(after)}`, field === 'entryField');
  }
  if (b && h && JSON.stringify(b.deadLetterFields) !== JSON.stringify(h.deadLetterFields)) row(at('deadLetterFields'), 'dead-letter field names changed', false);
  for (const [name, after] of Object.entries(h ? head.limits ?? {} : {})) {
    const before = base.limits?.[name as keyof NonNullable<ContractData['limits']>];
    // A lower bound refuses events that were accepted before: producers that send them break.
    if (before === undefined || after < before) rows.push({ eventType: '(envelope)', pointer: `/x-event-limits/${name}`, change: before === undefined ? `limit ${name} added (${after})` : `limit ${name} lowered from ${before} to ${after}`, producers: 'breaking', consumers: 'safe', reason: 'events over the bound that were accepted before are refused now' });
  }
  return rows;
}
