import { dereference } from '../contract/dereference.js';
import type { ContractData, JsonObject } from '../contract/load-contract.js';
import { diffSchemas, type Verdict } from './schema-diff.js';
import { compareBindings } from './compare-bindings.js';
import { declaredChanges } from './declared-changes.js';
import type { DeclaredBreakingChange } from '../contract/releases.js';

/** One row of the compat table. */
export interface CompatRow {
  /** The event type, or `(envelope)` for envelope.schema.json. */
  readonly eventType: string;
  readonly pointer: string;
  readonly change: string;
  readonly producers: Verdict;
  readonly consumers: Verdict;
  readonly reason: string;
  /** Set when this breaking change is declared deliberately (`x-declared-breaking-changes`, or a later release's record): its reason. */
  readonly declared?: string;
}

/** Whether a row breaks anyone. */
export const isBreaking = (row: CompatRow): boolean => row.declared === undefined && (row.producers === 'breaking' || row.consumers === 'breaking');

/**
 * A schema of the contract by `$id`, every `$ref` resolved.
 *
 * @example
 * resolved(contract, contract.eventTypes[0].payloadSchema.id); // { type: 'object', ... }
 */
export function resolved(contract: ContractData, id: string): JsonObject {
  const byId = new Map(contract.schemas.map((s) => [String(s.schema['$id']), s.schema]));
  const schema = byId.get(id);
  if (!schema) throw new Error(`internal: no schema ${id}`);
  return dereference(schema, id, byId);
}

/**
 * Compares two versions of the contract: the envelope schema, and each event type's payload
 * schema, judged for producers and consumers; event types removed (breaking, unless deprecated
 * before and now reserved) or added (safe). A new major version of a type is a new type
 * (`payment.completed_v2`), dual-published beside the old one: an addition, so it passes.
 *
 * A breaking change that `declared` lists (by pointer, and event type when given) is marked with
 * its reason and let through; by default the head's own declarations.
 *
 * @example
 * const rows = compareContracts(baseContract, headContract);
 * if (rows.some(isBreaking)) process.exitCode = 1;
 */
export function compareContracts(base: ContractData, head: ContractData, declared: readonly DeclaredBreakingChange[] = declaredChanges(head)): CompatRow[] {
  const rows: CompatRow[] = [];
  for (const c of diffSchemas(resolved(base, base.envelopeSchemaId), resolved(head, head.envelopeSchemaId))) rows.push({ eventType: '(envelope)', ...c });

  const headTypes = new Map(head.eventTypes.map((t) => [t.eventType, t]));
  const reserved = new Set(head.reserved.map((r) => r.name));
  for (const b of base.eventTypes) {
    const h = headTypes.get(b.eventType);
    if (!h) {
      const retired = b.lifecycle.state === 'deprecated' && reserved.has(b.eventType);
      rows.push(retired
        ? { eventType: b.eventType, pointer: '', change: 'event type retired', producers: 'safe', consumers: 'safe', reason: `deprecated${b.lifecycle.replacement ? ` for ${b.lifecycle.replacement}` : ''}, and now reserved` }
        : { eventType: b.eventType, pointer: '', change: 'event type removed or renamed', producers: 'breaking', consumers: 'breaking', reason: `its stream ${b.streamKey} and everyone on it lose it: deprecate it with a replacement first, then retire it into x-reserved-event-types` });
      continue;
    }
    for (const c of diffSchemas(resolved(base, b.payloadSchema.id), resolved(head, h.payloadSchema.id), '/payload')) rows.push({ eventType: b.eventType, ...c });
  }
  rows.push(...compareBindings(base, head));
  for (const h of head.eventTypes) {
    if (!base.eventTypes.some((b) => b.eventType === h.eventType)) {
      rows.push({ eventType: h.eventType, pointer: '', change: 'event type added', producers: 'safe', consumers: 'safe', reason: `a new stream ${h.streamKey}; tolerant consumers accept it unchecked until they upgrade` });
    }
  }
  return rows.map((r) => {
    const d = declared.find((c) => c.pointer === r.pointer && (c.eventType ?? r.eventType) === r.eventType);
    return d === undefined || (r.producers === 'safe' && r.consumers === 'safe') ? r : { ...r, declared: d.reason };
  });
}
