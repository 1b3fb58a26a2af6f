import type { ContractData, JsonObject } from '../contract/load-contract.js';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { isObject } from '../contract/json-object.js';

/** A property's type, as the Python model renderers (TypedDict, pydantic) need it. */
export type PythonType =
  /** `const` or `enum`: a `Literal` of the values; named by the schema's title when it has one. */
  | { readonly kind: 'literal'; readonly values: readonly unknown[]; readonly title?: string; readonly schema: JsonObject }
  | { readonly kind: 'scalar'; readonly name: 'str' | 'int' | 'float' | 'bool'; readonly schema: JsonObject }
  /** An object with properties: a model class of its own, by title. */
  | { readonly kind: 'model'; readonly name: string; readonly schema: JsonObject }
  /** An object without declared properties (the envelope's payload): any JSON object. */
  | { readonly kind: 'object'; readonly schema: JsonObject }
  | { readonly kind: 'list'; readonly items: PythonType; readonly schema: JsonObject };

export interface PythonField {
  /** The property name, as in the JSON. */
  readonly key: string;
  readonly required: boolean;
  readonly description: string | undefined;
  readonly type: PythonType;
}

export interface PythonModel {
  readonly name: string;
  readonly description: string;
  readonly fields: readonly PythonField[];
}

/** What the Python model renderers render: the same walk for both, so they never disagree. */
export interface PythonModels {
  /** Every model class, each after the ones its fields use: the envelope's, then each event's. */
  readonly models: readonly PythonModel[];
  /** The title of each event type's event model, in the contract's order (sorted by type). */
  readonly events: readonly string[];
}

// The keywords a model can express. Anything else would be dropped silently, so a model would
// accept what the schema refuses: it is an error instead, naming the place.
const EXPRESSIBLE = new Set([
  '$id', '$schema', '$comment', '$ref', 'definitions', 'title', 'description', 'examples', 'type', 'properties', 'required',
  'additionalProperties', 'const', 'enum', 'allOf', 'items', 'minItems', 'maxItems', 'pattern', 'minLength', 'maxLength',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
]);
// https://docs.python.org/3/reference/lexical_analysis.html#keywords
const PYTHON_KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);

/**
 * Walks the envelope schema and every event schema into Python model classes: the one reading of
 * the schemas that both `models.py` (TypedDicts) and `pydantic_models.py` are rendered from.
 *
 * Supports the subset the contract uses: objects with a title, `$ref`, single-`$ref` `allOf`,
 * `const`, `enum`, arrays, and the JSON types with their length, range and pattern keywords.
 * Anything else (and a property name that is not a Python identifier) is a ContractError naming
 * the place: a model must never accept what its schema refuses.
 *
 * @throws {ContractErrors} listing every unsupported construct.
 * @example
 * walkPythonModels(contract).models.map((m) => m.name); // ['EventEnvelope', 'KycVerifiedPayload', ...]
 */
export function walkPythonModels(contract: ContractData): PythonModels {
  const byId = new Map(contract.schemas.map((s) => [String(s.schema['$id']), s]));
  const models = new Map<string, PythonModel | undefined>(); // undefined: being walked
  const problems: ContractError[] = [];
  const problem = (where: string, message: string, fix: string): void => {
    const [file = 'schemas/', pointer = ''] = where.split('#');
    problems.push(new ContractError({ file: byId.get(file)?.file ?? file, pointer, message, fix }));
  };

  const resolve = (ref: string, base: string): { node: JsonObject; base: string } => {
    const url = new URL(ref, base);
    const fragment = decodeURIComponent(url.hash.slice(1));
    url.hash = '';
    let node: unknown = byId.get(url.href)?.schema;
    for (const segment of fragment.split('/').slice(1)) node = isObject(node) ? node[segment] : undefined;
    if (!isObject(node)) throw new Error(`internal: unresolved $ref ${ref} from ${base}`);
    return { node, base: url.href };
  };

  const typeOf = (node: JsonObject, base: string, where: string): PythonType => {
    if (typeof node['$ref'] === 'string') {
      const target = resolve(node['$ref'], base);
      return typeOf(target.node, target.base, `${target.base}#${new URL(node['$ref'], base).hash.slice(1)}`);
    }
    const allOf = node['allOf'];
    if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0])) return typeOf(allOf[0], base, `${where}/allOf/0`);
    const unsupported = Object.keys(node).filter((k) => !EXPRESSIBLE.has(k));
    if (unsupported.length > 0 || 'allOf' in node || (node['additionalProperties'] !== undefined && node['additionalProperties'] !== false)) {
      const what = unsupported.length > 0 ? unsupported.join(', ') : 'allOf' in node ? 'allOf with more than one schema' : 'additionalProperties other than false';
      problem(where, `the Python model renderers cannot express ${what}`, 'use the constructs listed in scripts/lib/render/walk-python-models.ts, or extend it (both renderers)');
      return { kind: 'object', schema: node };
    }
    const title = typeof node['title'] === 'string' ? node['title'] : undefined;
    if ('const' in node) return { kind: 'literal', values: [node['const']], schema: node };
    if (Array.isArray(node['enum'])) return { kind: 'literal', values: node['enum'], ...(title === undefined ? {} : { title }), schema: node };
    switch (node['type']) {
      case 'string':
        return { kind: 'scalar', name: 'str', schema: node };
      case 'integer':
        return { kind: 'scalar', name: 'int', schema: node };
      case 'number':
        return { kind: 'scalar', name: 'float', schema: node };
      case 'boolean':
        return { kind: 'scalar', name: 'bool', schema: node };
      case 'array':
        if (!isObject(node['items'])) break;
        return { kind: 'list', items: typeOf(node['items'], base, `${where}/items`), schema: node };
      case 'object':
        if (!isObject(node['properties'])) return { kind: 'object', schema: node };
        return { kind: 'model', name: modelOf(node, base, where), schema: node };
    }
    problem(where, `the Python model renderers do not support ${JSON.stringify(node)}`, 'give it one JSON type (type: string, integer, number, boolean, array with items, or object), a const or an enum');
    return { kind: 'object', schema: node };
  };

  const modelOf = (node: JsonObject, base: string, where: string): string => {
    const name = node['title'];
    if (typeof name !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
      problem(where, `object titled ${JSON.stringify(name)}`, 'give every object a PascalCase title; it names the model in every runtime');
      return 'object';
    }
    if (models.has(name)) return name;
    models.set(name, undefined); // reserve it: the models its fields use are emitted before it
    const required = new Set(Array.isArray(node['required']) ? node['required'].map(String) : []);
    const fields: PythonField[] = [];
    for (const [key, prop] of Object.entries(node['properties'] as JsonObject)) {
      if (!isObject(prop)) continue;
      const at = `${where}/properties/${key}`;
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key) || PYTHON_KEYWORDS.has(key) || key.startsWith('model_')) {
        problem(at, `the property name ${JSON.stringify(key)} cannot be a field of a Python model (not an identifier, a keyword, or pydantic's model_ namespace)`, 'name properties in camelCase letters and digits, as the other fields are');
        continue;
      }
      fields.push({ key, required: required.has(key), description: describe(prop, base), type: typeOf(prop, base, at) });
    }
    models.delete(name);
    models.set(name, { name, description: typeof node['description'] === 'string' ? node['description'] : name, fields });
    return name;
  };

  const describe = (prop: JsonObject, base: string): string | undefined => {
    if (typeof prop['description'] === 'string') return prop['description'];
    if (typeof prop['$ref'] === 'string') return describe(resolve(prop['$ref'], base).node, base);
    return undefined;
  };

  const envelope = byId.get(contract.envelopeSchemaId)!;
  modelOf(envelope.schema, contract.envelopeSchemaId, `${contract.envelopeSchemaId}#`);
  const events = contract.eventTypes.map((t) => modelOf(byId.get(t.eventSchema.id)!.schema, t.eventSchema.id, `${t.eventSchema.id}#`));
  if (problems.length > 0) throw new ContractErrors(problems);
  return { models: [...models.values()].filter((m): m is PythonModel => m !== undefined), events };
}

/**
 * A JSON value as a Python literal: JSON's string escapes are Python's too; `true`, `false` and
 * `null` are not.
 *
 * @example
 * pythonLiteral([true, 'a"b', null]); // '[True, "a\\"b", None]'
 */
export function pythonLiteral(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}
