import type { ContractData, JsonObject } from './load-contract.js';

/** The two validation modes, derived from one set of schemas. */
export type Mode = 'producer' | 'consumer';
export const MODES: readonly Mode[] = ['producer', 'consumer'];

/**
 * Consumer-mode copy of a schema: every `additionalProperties: false` dropped (a tolerant reader
 * ignores fields it does not know), and the `$id` moved under `consumer/` so both sets can live in
 * one ajv instance. Every declared keyword stays, so declared fields are still checked.
 *
 * @example
 * toConsumerSchema({ $id: 'https://x/a.json', additionalProperties: false }); // { $id: 'https://x/consumer/a.json' }
 */
export function toConsumerSchema(schema: JsonObject, idPrefix: string): JsonObject {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (typeof node !== 'object' || node === null) return node;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'additionalProperties' && v === false) continue;
      out[k] = strip(v);
    }
    return out;
  };
  const out = strip(schema) as JsonObject;
  out['$id'] = consumerId(String(schema['$id']), idPrefix);
  return out;
}

export const consumerId = (id: string, prefix: string): string => prefix + 'consumer/' + id.slice(prefix.length);

/** The common prefix of the schemas' `$id`s, e.g. `https://schemas.goodgo.dev/contracts-events/`. */
export function idPrefixOf(contract: ContractData): string {
  const id = contract.envelopeSchemaId;
  return id.slice(0, id.lastIndexOf('/') + 1);
}

/**
 * The schemas as ajv needs them: descriptions and all but the first example dropped. They are
 * documentation, and ajv would embed them in the generated module, which every importer parses.
 * Titles and the first example stay: error messages name the rule with them.
 */
export function withoutAnnotations(node: JsonObject): JsonObject {
  const strip = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return key === 'examples' ? value.slice(0, 1) : value.map((v) => strip(v, undefined));
    if (typeof value !== 'object' || value === null) return value;
    // Inside these keywords the keys are data (property names, enum values), not keywords.
    const dataKeys = key === 'properties' || key === 'definitions';
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (!dataKeys && (k === 'description' || k === '$comment')) continue;
      out[k] = strip(v, dataKeys ? undefined : k);
    }
    return out;
  };
  return strip(node, undefined) as JsonObject;
}

