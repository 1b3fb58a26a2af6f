import type { JsonObject } from '../contract/load-contract.js';
import { isObject } from '../contract/json-object.js';

/** A change's effect on one side. */
export type Verdict = 'safe' | 'breaking';

/**
 * One difference between two versions of a schema, judged for each side of the contract:
 * - producers (closed): can services that produce valid events today keep doing so?
 * - consumers (tolerant readers): can services that consume today read what the new schema allows?
 */
export interface SchemaChange {
  readonly pointer: string;
  readonly change: string;
  readonly producers: Verdict;
  readonly consumers: Verdict;
  readonly reason: string;
}


// The four kinds of change. A narrowing accepts less: producers break, consumers do not; a
// widening accepts more: consumers (which check every declared field) break, producers do not.
const narrow = (pointer: string, change: string, reason: string): SchemaChange => ({ pointer, change, producers: 'breaking', consumers: 'safe', reason });
const widen = (pointer: string, change: string, reason: string): SchemaChange => ({ pointer, change, producers: 'safe', consumers: 'breaking', reason });
const both = (pointer: string, change: string, reason: string): SchemaChange => ({ pointer, change, producers: 'breaking', consumers: 'breaking', reason });
const safe = (pointer: string, change: string, reason: string): SchemaChange => ({ pointer, change, producers: 'safe', consumers: 'safe', reason });

const ANNOTATIONS = new Set(['title', 'description', 'examples', '$comment', '$id', '$schema', 'definitions', 'default', 'x-parser-schema-id']);
const LOWER_BOUNDS = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'] as const;
const HANDLED = new Set<string>(['type', 'const', 'enum', 'pattern', 'format', 'multipleOf', 'required', 'properties', 'additionalProperties', 'items', ...LOWER_BOUNDS, ...UPPER_BOUNDS]);

/**
 * A schema as compat compares it: single-schema `allOf`s folded into their parent, annotations
 * dropped (they change no verdict). Expects a dereferenced schema (no `$ref`).
 *
 * @example
 * normalize({ description: 'x', allOf: [{ type: 'string' }] }); // { type: 'string' }
 */
export function normalize(schema: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const member of Array.isArray(schema['allOf']) ? schema['allOf'] : []) if (isObject(member)) Object.assign(out, normalize(member));
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'allOf' || ANNOTATIONS.has(k)) continue;
    if (k === 'properties' && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, isObject(s) ? normalize(s) : s]));
    else if (k === 'items' && isObject(v)) out[k] = normalize(v);
    else out[k] = v;
  }
  return out;
}

const types = (s: JsonObject): Set<string> | undefined => {
  const t = s['type'];
  if (t === undefined) return undefined;
  const set = new Set(Array.isArray(t) ? t.map(String) : [String(t)]);
  if (set.has('number')) set.add('integer'); // every integer is a number
  return set;
};
const subset = (a: Set<string>, b: Set<string>): boolean => [...a].every((x) => b.has(x));
const show = (v: unknown): string => JSON.stringify(v);

/**
 * The changes from `base` to `head` (both dereferenced), each with its verdict for producers and
 * consumers. Rules follow Confluent Schema Registry's JSON Schema compatibility, adapted to this
 * contract's two modes; the README lists them.
 *
 * @example
 * diffSchemas({ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: {} });
 * // [{ pointer: '/properties/a', change: 'property removed', producers: 'breaking', consumers: 'safe', ... }]
 */
export function diffSchemas(baseSchema: JsonObject, headSchema: JsonObject, pointer = ''): SchemaChange[] {
  const base = normalize(baseSchema);
  const head = normalize(headSchema);
  const out: SchemaChange[] = [];

  const bt = types(base);
  const ht = types(head);
  if (bt && ht && !(subset(bt, ht) && subset(ht, bt))) {
    const from = show(base['type']);
    const to = show(head['type']);
    if (subset(ht, bt)) out.push(narrow(`${pointer}/type`, `type narrowed ${from} → ${to}`, 'values of the dropped type are now rejected'));
    else if (subset(bt, ht)) out.push(widen(`${pointer}/type`, `type widened ${from} → ${to}`, 'old consumers reject values of the new type'));
    else out.push(both(`${pointer}/type`, `type changed ${from} → ${to}`, 'neither accepts what the other does'));
  } else if (!bt && ht) out.push(narrow(`${pointer}/type`, `type added ${show(head['type'])}`, 'values of other types are now rejected'));
  else if (bt && !ht) out.push(widen(`${pointer}/type`, `type removed (was ${show(base['type'])})`, 'old consumers reject values of other types'));

  if ('const' in base || 'const' in head) {
    if (!('const' in base)) out.push(narrow(`${pointer}/const`, `const added ${show(head['const'])}`, 'every other value is now rejected'));
    else if (!('const' in head)) out.push(widen(`${pointer}/const`, `const removed (was ${show(base['const'])})`, 'old consumers reject any other value'));
    else if (show(base['const']) !== show(head['const'])) out.push(both(`${pointer}/const`, `const changed ${show(base['const'])} → ${show(head['const'])}`, 'no value is valid for both'));
  }

  const be = Array.isArray(base['enum']) ? base['enum'].map(show) : undefined;
  const he = Array.isArray(head['enum']) ? head['enum'].map(show) : undefined;
  if (be && he) {
    const removed = be.filter((v) => !he.includes(v));
    const added = he.filter((v) => !be.includes(v));
    if (removed.length) out.push(narrow(`${pointer}/enum`, `enum value(s) removed: ${removed.join(', ')}`, 'producers sending them are rejected'));
    if (added.length) out.push(widen(`${pointer}/enum`, `enum value(s) added: ${added.join(', ')}`, 'consumer mode checks enums too: an old consumer rejects the new value until it upgrades'));
  } else if (!be && he) out.push(narrow(`${pointer}/enum`, 'enum added', 'values outside it are now rejected'));
  else if (be && !he) out.push(widen(`${pointer}/enum`, 'enum removed', 'old consumers reject values outside the old enum'));

  for (const keyword of ['pattern', 'format'] as const) {
    if (base[keyword] === head[keyword]) continue;
    if (base[keyword] === undefined) out.push(narrow(`${pointer}/${keyword}`, `${keyword} added ${show(head[keyword])}`, 'strings that do not match are now rejected'));
    else if (head[keyword] === undefined) out.push(widen(`${pointer}/${keyword}`, `${keyword} removed (was ${show(base[keyword])})`, 'old consumers reject strings the old one did not match'));
    else out.push(both(`${pointer}/${keyword}`, `${keyword} changed ${show(base[keyword])} → ${show(head[keyword])}`, 'two patterns cannot be proven to accept the same strings: treated as breaking both ways'));
  }

  const bound = (keyword: string, isLower: boolean): void => {
    const b = base[keyword];
    const h = head[keyword];
    if (b === h) return;
    if (typeof b !== 'number' && typeof h === 'number') return void out.push(narrow(`${pointer}/${keyword}`, `${keyword} added ${h}`, 'values beyond it are now rejected'));
    if (typeof b === 'number' && typeof h !== 'number') return void out.push(widen(`${pointer}/${keyword}`, `${keyword} removed (was ${b})`, 'old consumers reject values beyond the old bound'));
    if (typeof b !== 'number' || typeof h !== 'number') return;
    const narrower = isLower ? h > b : h < b;
    out.push(narrower ? narrow(`${pointer}/${keyword}`, `${keyword} ${b} → ${h}`, 'values between the two bounds are now rejected') : widen(`${pointer}/${keyword}`, `${keyword} ${b} → ${h}`, 'old consumers reject values between the two bounds'));
  };
  for (const k of LOWER_BOUNDS) bound(k, true);
  for (const k of UPPER_BOUNDS) bound(k, false);
  if (base['multipleOf'] !== head['multipleOf']) {
    if (base['multipleOf'] === undefined) out.push(narrow(`${pointer}/multipleOf`, `multipleOf added ${show(head['multipleOf'])}`, 'other values are now rejected'));
    else if (head['multipleOf'] === undefined) out.push(widen(`${pointer}/multipleOf`, 'multipleOf removed', 'old consumers reject the new values'));
    else out.push(both(`${pointer}/multipleOf`, `multipleOf ${show(base['multipleOf'])} → ${show(head['multipleOf'])}`, 'treated as breaking both ways'));
  }

  // Objects: properties, required, additionalProperties.
  const bp = isObject(base['properties']) ? base['properties'] : {};
  const hp = isObject(head['properties']) ? head['properties'] : {};
  const br = new Set(Array.isArray(base['required']) ? base['required'].map(String) : []);
  const hr = new Set(Array.isArray(head['required']) ? head['required'].map(String) : []);
  for (const key of Object.keys(bp)) {
    const at = `${pointer}/properties/${key}`;
    if (!(key in hp)) {
      out.push(br.has(key)
        ? both(at, 'required property removed', 'producers still sending it are rejected (closed), and consumers that read it find it missing')
        : narrow(at, 'optional property removed', 'producers still sending it are rejected (closed); consumers already handle its absence'));
    } else if (isObject(bp[key]) && isObject(hp[key])) {
      out.push(...diffSchemas(bp[key], hp[key], at));
    }
  }
  for (const key of Object.keys(hp)) {
    if (key in bp) continue;
    const at = `${pointer}/properties/${key}`;
    out.push(hr.has(key)
      ? narrow(at, 'required property added', 'producers that do not send it yet are rejected; consumers ignore what they do not know')
      : safe(at, 'optional property added', 'producers may omit it; tolerant consumers ignore it'));
  }
  for (const key of hr) if (key in bp && !br.has(key)) out.push(narrow(`${pointer}/required`, `property ${key} made required`, 'producers that omit it are rejected'));
  for (const key of br) if (key in hp && !hr.has(key)) out.push(widen(`${pointer}/required`, `property ${key} made optional`, 'consumers that read it may find it missing'));
  const closed = (s: JsonObject): boolean => s['additionalProperties'] === false;
  if (closed(base) && !closed(head)) out.push(safe(`${pointer}/additionalProperties`, 'object opened to unknown fields', 'producers send a subset of what is allowed; consumers ignore unknown fields anyway'));
  if (!closed(base) && closed(head) && (base['type'] === 'object' || head['type'] === 'object')) out.push(narrow(`${pointer}/additionalProperties`, 'object closed to unknown fields', 'producers sending other fields are rejected'));

  if (isObject(base['items']) && isObject(head['items'])) out.push(...diffSchemas(base['items'], head['items'], `${pointer}/items`));

  // Anything else that changed is not understood: assume the worst.
  for (const key of new Set([...Object.keys(base), ...Object.keys(head)])) {
    if (HANDLED.has(key) || key === 'items' || show(base[key]) === show(head[key])) continue;
    out.push(both(`${pointer}/${key}`, `${key} changed`, `compat does not know how "${key}" changes what is valid: treated as breaking`));
  }
  return out;
}
