import type { ContractData, JsonObject } from '../contract/load-contract.js';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { isObject } from '../contract/json-object.js';
import { generatedHeader } from './generated-header.js';

const pyString = (s: string): string => JSON.stringify(s);

/**
 * Renders stdlib `TypedDict` models of every event (no dependency), with `Literal` event types so
 * that `mypy --strict` narrows a `KnownEvent` on `event["eventType"]`. Written here rather than by
 * Modelina, whose Python output does not run in 5.10 (see ../shared/notes/toolchain.md).
 *
 * Supports the subset the contract uses: objects with a title, `$ref`, single-`$ref` `allOf`,
 * string enums, `const`, and the JSON types. Anything else is a ContractError naming the place.
 *
 * @example
 * renderPythonModels(contract); // 'class PaymentCompletedPayload(TypedDict): ...'
 */
export function renderPythonModels(contract: ContractData): string {
  const byId = new Map(contract.schemas.map((s) => [String(s.schema['$id']), s]));
  const aliases = new Map<string, string>(); // name -> Literal[...] text
  const classes = new Map<string, string>(); // name -> class text, in dependency order
  const problems: ContractError[] = [];

  const resolve = (ref: string, base: string): { node: JsonObject; base: string } => {
    const url = new URL(ref, base);
    const fragment = decodeURIComponent(url.hash.slice(1));
    url.hash = '';
    let node: unknown = byId.get(url.href)?.schema;
    for (const segment of fragment.split('/').slice(1)) node = isObject(node) ? node[segment] : undefined;
    if (!isObject(node)) throw new Error(`internal: unresolved $ref ${ref} from ${base}`);
    return { node, base: url.href };
  };

  const typeOf = (node: JsonObject, base: string, where: string): string => {
    if (typeof node['$ref'] === 'string') {
      const target = resolve(node['$ref'], base);
      return typeOf(target.node, target.base, `${target.base}#`);
    }
    const allOf = node['allOf'];
    if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0])) return typeOf(allOf[0], base, `${where}/allOf/0`);
    if ('const' in node) return `Literal[${JSON.stringify(node['const'])}]`;
    if (Array.isArray(node['enum'])) {
      const literal = `Literal[${node['enum'].map((v) => JSON.stringify(v)).join(', ')}]`;
      if (typeof node['title'] !== 'string') return literal;
      aliases.set(node['title'], literal);
      return node['title'];
    }
    switch (node['type']) {
      case 'string':
        return 'str';
      case 'integer':
        return 'int';
      case 'number':
        return 'float';
      case 'boolean':
        return 'bool';
      case 'object':
        if (!isObject(node['properties'])) return 'dict[str, object]';
        return classOf(node, base, where);
      default:
        problems.push(new ContractError({ file: where.split('#')[0] ?? 'schemas/', pointer: where.split('#')[1] ?? '', message: `the Python model renderer does not support ${JSON.stringify(node)}`, fix: 'use the constructs listed in scripts/lib/render-python-models.ts, or extend it' }));
        return 'object';
    }
  };

  const classOf = (node: JsonObject, base: string, where: string): string => {
    const name = node['title'];
    if (typeof name !== 'string') {
      problems.push(new ContractError({ file: base, pointer: where, message: 'object without a title', fix: 'give every object a title; it names the model' }));
      return 'dict[str, object]';
    }
    if (classes.has(name)) return name;
    classes.set(name, ''); // reserve: nested classes are emitted before this one
    const required = new Set(Array.isArray(node['required']) ? node['required'].map(String) : []);
    const lines: string[] = [`class ${name}(TypedDict):`, `    ${pyString(String(node['description'] ?? name))}`, ''];
    for (const [key, prop] of Object.entries(node['properties'] as JsonObject)) {
      if (!isObject(prop)) continue;
      const type = typeOf(prop, base, `${where}/properties/${key}`);
      const description = describe(prop, base);
      if (description) lines.push(...wrap(description).map((l) => `    #: ${l}`));
      lines.push(`    ${key}: ${required.has(key) ? type : `NotRequired[${type}]`}`);
    }
    classes.delete(name);
    classes.set(name, lines.join('\n'));
    return name;
  };

  const describe = (prop: JsonObject, base: string): string | undefined => {
    if (typeof prop['description'] === 'string') return prop['description'];
    if (typeof prop['$ref'] === 'string') return describe(resolve(prop['$ref'], base).node, base);
    return undefined;
  };

  const envelope = byId.get(contract.envelopeSchemaId)!;
  classOf(envelope.schema, contract.envelopeSchemaId, `${envelope.file}#`);
  for (const t of contract.eventTypes) {
    const file = byId.get(t.eventSchema.id)!;
    classOf(file.schema, t.eventSchema.id, `${file.file}#`);
  }
  if (problems.length > 0) throw new ContractErrors(problems);

  return [
    generatedHeader('schemas/ (stdlib TypedDict models)', { comment: '#' }).trimEnd(),
    '"""Stdlib TypedDict models of every event: no dependency, and mypy narrows KnownEvent on eventType."""',
    '',
    'from typing import Literal, NotRequired, TypedDict',
    '',
    ...[...aliases].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, literal]) => `${name} = ${literal}`),
    '',
    ...[...classes.values()].map((c) => `\n${c}\n`),
    '',
    `KnownEvent = ${contract.eventTypes.map((t) => t.eventSchema.title).join(' | ')}`,
    '"""Any event of a known type: narrow it with event["eventType"] == "..."."""',
    '',
  ].join('\n').replace(/\n{3,}/g, '\n\n\n');
}

function wrap(text: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + w.length > 100) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}
