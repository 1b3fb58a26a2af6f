import { EVENT_TYPES } from '../../generated/event-types.ts';

/**
 * A well-formed event type the contract does not define yet, for tests that add one: the guide's
 * own example, `order.shipped`, unless the contract has grown to define it.
 *
 * @example
 * run('new-event', freshEventType());
 */
export function freshEventType(base = 'order.shipped'): string {
  const known = new Set<string>(EVENT_TYPES);
  const [aggregate, verb] = base.split('.') as [string, string];
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : `${aggregate}_${i}.${verb}`;
    if (!known.has(name)) return name;
  }
}
