import type { ContractData } from '../contract/load-contract.js';
import { isObject } from '../contract/json-object.js';
import { declaredChangeOf, type DeclaredBreakingChange } from '../contract/releases.js';

/**
 * The breaking changes the contract declares deliberately (`x-declared-breaking-changes`: JSON
 * pointer, the event type for a payload's change, and the reason), which compat shows and lets
 * through until the next release (`npm run release` moves them into its record).
 *
 * @example
 * declaredChanges(head); // [{ pointer: '/servers/redis/x-redis-streams/deadLetterStream', reason: '...' }]
 */
export function declaredChanges(contract: ContractData): DeclaredBreakingChange[] {
  const list = contract.raw['x-declared-breaking-changes'];
  return (Array.isArray(list) ? list : []).filter(isObject).map(declaredChangeOf);
}
