import type { ContractData, JsonObject } from '../contract/load-contract.js';
import { ContractError } from '../contract/contract-error.js';
import { jsonPointer } from '../contract/json-pointer.js';
import { isObject } from '../contract/json-object.js';
import { isBreaking, resolved, type CompatRow } from './compare-contracts.js';
import { normalize } from './schema-diff.js';

const PAYLOAD_VERSION = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/**
 * The generation of an event type: N for a `<aggregate>.<verb>_vN` type (a breaking change
 * published as a new type), 1 otherwise. It is the MAJOR of the type's payload version.
 *
 * @example
 * generationOf('payment.completed_v2'); // 2
 */
export function generationOf(eventType: string): number {
  const m = /_v([1-9][0-9]*)$/.exec(eventType);
  return m ? Number(m[1]) : 1;
}

/** `MAJOR.MINOR` as numbers, or undefined when `version` is not one. */
export function parsePayloadVersion(version: string | undefined): { major: number; minor: number } | undefined {
  const m = version === undefined ? null : PAYLOAD_VERSION.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** What happened to one event type's payload between two contracts, and the version it needs. */
export interface PayloadChange {
  readonly eventType: string;
  /** The version in the base (a base from before x-payload-version counts as `<generation>.0`). */
  readonly before: string;
  /** The version in the head, as written. */
  readonly after: string | undefined;
  /** Whether the payload schema changed beyond annotations (descriptions, titles, examples, ...). */
  readonly changed: boolean;
  /** Whether a change breaks producers or consumers and was not declared. */
  readonly breaking: boolean;
  /** The version the head needs: `before`, or its MINOR + 1 when the payload changed. */
  readonly needed: string;
}

/**
 * The payload changes of every event type present in both contracts, with the version each needs:
 * an unchanged payload keeps its version; a changed one (anything beyond descriptions, titles and
 * examples) needs its MINOR bumped by one, once per release; a breaking one is a new type instead
 * (`<type>_v2`), unless declared.
 *
 * @example
 * payloadChanges(release, head, compareContracts(release, head)); // [{ eventType: 'payment.completed', before: '1.0', needed: '1.1', ... }]
 */
export function payloadChanges(base: ContractData, head: ContractData, rows: readonly CompatRow[]): PayloadChange[] {
  const baseTypes = new Map(base.eventTypes.map((t) => [t.eventType, t]));
  const changes: PayloadChange[] = [];
  for (const h of head.eventTypes) {
    const b = baseTypes.get(h.eventType);
    if (!b) continue;
    const before = b.payloadVersion ?? `${generationOf(b.eventType)}.0`;
    const changed = canonical(normalize(resolved(base, b.payloadSchema.id))) !== canonical(normalize(resolved(head, h.payloadSchema.id)));
    const parsed = parsePayloadVersion(before);
    const needed = !changed || !parsed ? before : `${parsed.major}.${parsed.minor + 1}`;
    const breaking = rows.some((r) => r.eventType === h.eventType && isBreaking(r));
    changes.push({ eventType: h.eventType, before, after: h.payloadVersion, changed, breaking, needed });
  }
  return changes;
}

/**
 * The payload-version rules, as problems for `npm run check`: every message has an
 * `x-payload-version` `MAJOR.MINOR` whose MAJOR is the type's generation; and, against the latest
 * release (`base`), a type whose payload changed has its MINOR bumped by one, an unchanged one
 * keeps its version, and a new one starts at `<generation>.0`.
 *
 * @example
 * payloadVersionProblems(head, { label: 'release 0.1.0', contract: release, rows });
 */
export function payloadVersionProblems(head: ContractData, base: { label: string; contract: ContractData; rows: readonly CompatRow[] } | undefined): ContractError[] {
  const problems: ContractError[] = [];
  const at = (eventType: string): string => jsonPointer(['components', 'messages', eventType, 'x-payload-version']);
  const add = (eventType: string, message: string, fix: string): void => {
    problems.push(new ContractError({ file: 'asyncapi.yaml', pointer: at(eventType), message: `${eventType}: ${message}`, fix }));
  };
  const valid = new Set<string>();
  for (const t of head.eventTypes) {
    const generation = generationOf(t.eventType);
    const version = parsePayloadVersion(t.payloadVersion);
    if (t.payloadVersion === undefined) add(t.eventType, 'no x-payload-version', `add x-payload-version: '${generation}.0' to the message`);
    else if (!version) add(t.eventType, `x-payload-version ${JSON.stringify(t.payloadVersion)} is not MAJOR.MINOR`, `write it as a quoted MAJOR.MINOR, e.g. '${generation}.0'`);
    else if (version.major !== generation) add(t.eventType, `x-payload-version ${t.payloadVersion}: MAJOR is the type's generation, ${generation} for ${t.eventType}`, `set it to '${generation}.${version.minor}'; a breaking change is a new type, <type>_v${generation + 1}, whose MAJOR is ${generation + 1}`);
    else valid.add(t.eventType);
  }
  if (!base) return problems;
  const changes = new Map(payloadChanges(base.contract, head, base.rows).map((c) => [c.eventType, c]));
  for (const t of head.eventTypes) {
    if (!valid.has(t.eventType)) continue;
    const c = changes.get(t.eventType);
    if (!c) {
      const first = `${generationOf(t.eventType)}.0`;
      if (t.payloadVersion !== first) add(t.eventType, `x-payload-version ${t.payloadVersion}, but the type is new since ${base.label}`, `a new type starts at '${first}'`);
      continue;
    }
    if (c.changed && c.after === c.before) {
      const breaking = c.breaking ? ', and the change is breaking (npm run compat shows it)' : '';
      const fix = c.breaking
        ? `publish the new shape as a new type, ${t.eventType.replace(/_v[0-9]+$/, '')}_v${generationOf(t.eventType) + 1}, dual-published beside this one; or declare the change in x-declared-breaking-changes with its reason and set x-payload-version: '${c.needed}'`
        : `bump it: x-payload-version: '${c.needed}' (a compatible change)`;
      add(t.eventType, `the payload schema changed since ${base.label} (x-payload-version ${c.before}) but its version did not${breaking}`, fix);
    } else if (c.after !== c.needed) {
      add(t.eventType, c.changed
        ? `x-payload-version ${c.after}: after ${base.label}'s ${c.before}, one change of the payload is ${c.needed}`
        : `x-payload-version ${c.after}, but the payload schema has not changed since ${base.label} (${c.before})`, `set x-payload-version: '${c.needed}'`);
    }
  }
  return problems;
}

/** JSON with every object's keys sorted: the same text for the same value, whatever the order. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => (Array.isArray(v) ? v.map(sort) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as JsonObject)[k])])) : v);
  return JSON.stringify(sort(value));
}
