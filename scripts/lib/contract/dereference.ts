import type { JsonObject } from './load-contract.js';

/**
 * A schema with every `$ref` replaced by its target, resolved against the `$id`s of `schemas`:
 * one self-contained tree. fastjsonschema turns each `$ref` into a function call that also builds
 * a name string, which made a Python validation ~10% slower; inlined, the checks are the same.
 * Inlined subschemas lose `$id`, `$schema` and `definitions`, which only served the references.
 *
 * @throws {Error} on a reference cycle or a `$ref` to nothing (the contract has neither).
 * @example
 * dereference(schemasById.get(eventId)!, eventId, schemasById);
 */
export function dereference(schema: JsonObject, baseId: string, schemas: ReadonlyMap<string, JsonObject>): JsonObject {
  const visit = (node: unknown, base: string, trail: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => visit(n, base, trail));
    if (typeof node !== 'object' || node === null) return node;
    const obj = node as JsonObject;
    if (typeof obj['$ref'] === 'string') {
      const url = new URL(obj['$ref'], base);
      const key = url.href;
      if (trail.includes(key)) throw new Error(`dereference: reference cycle through ${key}`);
      const fragment = decodeURIComponent(url.hash.slice(1));
      url.hash = '';
      let target: unknown = schemas.get(url.href);
      for (const segment of fragment.split('/').slice(1)) target = typeof target === 'object' && target !== null ? (target as JsonObject)[segment] : undefined;
      if (target === undefined) throw new Error(`dereference: ${key} resolves to nothing`);
      return visit(target, url.href, [...trail, key]);
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(obj)) {
      if (trail.length > 0 && (k === '$id' || k === '$schema' || k === 'definitions')) continue;
      out[k] = k === 'enum' || k === 'const' || k === 'examples' ? v : visit(v, base, trail);
    }
    return out;
  };
  const root = visit(schema, baseId, []) as JsonObject;
  delete root['definitions'];
  return root;
}
