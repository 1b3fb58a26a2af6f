// The binding vectors (test/vectors/redis-binding/decisions.json): entry fields and delivery count
// in, decision and dead-letter fields out, run here through the TypeScript core and by
// python/tests/test_binding_vectors.py through the Python one.
import { describe, expect, it } from 'vitest';
import { deadLetterFields, decideEntry } from '../src/redis/decide-entry.ts';
import { bytesOf, enforced, expand, loadBindingVectors, OWN } from './support/binding-vectors.ts';

const { maxDeliveries, group, tests } = loadBindingVectors();

describe('binding vectors', () => {
  it.each(tests.map((t) => [t.description, t] as const))('%s', (_, t) => {
    const entry = { id: t.entry.id, fields: t.entry.fields.flatMap(([n, v]) => [bytesOf(n), bytesOf(v)]), deliveries: t.entry.deliveries };
    const decision = decideEntry(OWN, entry, maxDeliveries);
    expect(decision.action).toBe(t.decision.action);
    if (decision.action !== 'dead-letter') return;
    expect(decision.reason).toBe(enforced() && t.decision.reasonWhenEnforced ? t.decision.reasonWhenEnforced : t.decision.reason);
    for (const want of t.decision.errors ?? []) {
      expect(decision.errors).toContainEqual(expect.objectContaining({ instancePath: want.instancePath, keyword: want.keyword, ...(want.message ? { message: expand(want.message) } : {}) }));
    }
    if (!t.deadLetter) return;
    const fields = deadLetterFields(entry, { eventType: OWN, group, reason: decision.reason, errors: decision.errors }).map((f) => Buffer.from(f));
    const expected = t.deadLetter.flatMap(([n, v]) => [bytesOf(n), v === '<errors>' ? Buffer.from(JSON.stringify(decision.errors)) : typeof v === 'string' ? Buffer.from(expand(v)) : bytesOf(v)]);
    expect(fields.map((f) => f.toString('hex'))).toEqual(expected.map((f) => f.toString('hex')));
  });
});
