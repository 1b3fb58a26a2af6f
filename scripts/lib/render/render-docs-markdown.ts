import type { ContractData, JsonObject } from '../contract/load-contract.js';
import type { Release } from '../contract/releases.js';
import { dereference } from '../contract/dereference.js';
import { lifecycleLabel } from '../contract/lifecycle-label.js';
import { isObject } from '../contract/json-object.js';
import { generatedHeader } from './generated-header.js';


/** One row of a field table. */
interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
  readonly constraints: readonly string[];
}

/** The parts of the event docs, in Markdown: the Markdown twin joins them, the HTML site splits them into pages. */
export interface DocsParts {
  /** `<title> <version>`. */
  readonly title: string;
  /** The paragraph on streams, envelope and modes. */
  readonly intro: string;
  /** One row per event type, in contract order. */
  readonly index: readonly { readonly eventType: string; readonly streamKey: string; readonly summary: string; readonly lifecycle: string }[];
  /** One section per event type (its `##` heading, facts, field table and examples). */
  readonly sections: ReadonlyMap<string, string>;
  /** The `## Formats` section: each named string format with its pattern. */
  readonly formats: string;
}

/**
 * The docs of every event type, from the files (no parser needed), as Markdown parts: what
 * docs/events.md and the HTML pages show is written once.
 *
 * @example
 * docsParts(contract).sections.get('payment.completed'); // '## payment.completed\n...'
 */
export function docsParts(contract: ContractData): DocsParts {
  const raw = contract.raw;
  const info = isObject(raw['info']) ? raw['info'] : {};
  const formats = new Map<string, { pattern: string; description: string }>();
  const messages = isObject(raw['components']) && isObject(raw['components']['messages']) ? raw['components']['messages'] : {};
  const text = (m: JsonObject, key: string): string | undefined => (typeof m[key] === 'string' ? m[key] : undefined);
  // Each event schema with every $ref resolved: the whole event, its descriptions included.
  const byId = new Map(contract.schemas.map((s) => [String(s.schema['$id']), s.schema]));
  const sections = new Map<string, string>();
  for (const t of contract.eventTypes) {
    const message = isObject(messages[t.eventType]) ? messages[t.eventType] as JsonObject : undefined;
    if (!message) continue;
    const out: string[] = [];
    const payload = dereference(byId.get(t.eventSchema.id)!, t.eventSchema.id, byId);
    out.push(`## ${t.eventType}`, '', `**${text(message, 'title') ?? t.eventType}**: ${text(message, 'summary') ?? ''}`, '');
    out.push(`- Stream key: \`${t.streamKey}\`; dead letters: \`${t.deadLetterKey}\``, `- Producers send it with operation \`${t.eventType}\` (\`send\`)`, `- Model: \`${t.eventSchema.title}\`, payload \`${t.payloadSchema.title}\``, `- Payload version: \`${t.payloadVersion ?? '1.0'}\` (schema \`${t.payloadSchema.id}\`)`, `- ${lifecycleLabel(t.lifecycle).replace(/^lifecycle/, 'Lifecycle')}`, '');
    if (text(message, 'description')) out.push(text(message, 'description')!.trim(), '');
    out.push('| field | type | required | description | constraints |', '| --- | --- | --- | --- | --- |');
    for (const row of fieldRows(payload, '', true, formats)) {
      out.push(`| \`${row.path}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.description)} | ${row.constraints.map(cell).join('<br>')} |`);
    }
    out.push('', 'Payload versions, from the releases recorded in `releases/`:', '', '| payload version | first released in |', '| --- | --- |');
    for (const [version, release] of versionHistory(t.eventType, t.payloadVersion ?? '1.0', contract.releases)) out.push(`| \`${version}\` | ${release} |`);
    out.push('');
    for (const example of Array.isArray(message['examples']) ? message['examples'].filter(isObject) : []) {
      out.push(`### Example: ${text(example, 'name') ?? ''}`, '', text(example, 'summary') ?? '', '', '```json', JSON.stringify(example['payload'], null, 2), '```', '');
    }
    sections.set(t.eventType, out.join('\n'));
  }
  const tail: string[] = ['## Formats', '', 'The named string formats used above, each with its exact pattern (the same in JavaScript and Python: see the README).', '', '| format | pattern | description |', '| --- | --- | --- |'];
  const definitions = new Map<string, string>();
  for (const { schema } of contract.schemas) {
    for (const d of Object.values(isObject(schema['definitions']) ? schema['definitions'] : {})) {
      if (isObject(d) && typeof d['title'] === 'string' && typeof d['description'] === 'string') definitions.set(d['title'], d['description']);
    }
  }
  for (const [name, f] of [...formats].sort(([a], [b]) => (a < b ? -1 : 1))) {
    tail.push(`| <a id="${anchor(name)}"></a>\`${name}\` | \`${cell(f.pattern)}\` | ${cell(definitions.get(name) ?? f.description)} |`);
  }
  return {
    title: `${String(info['title'])} ${String(info['version'])}`,
    intro: 'Every event travels on its own Redis stream, `events:<eventType>`, as one envelope, UTF-8 JSON in the entry field `envelope`; entries that cannot be handled go to `{<stream>}:dead-letter` with the reason (see the [README](../README.md#redis-streams)). Producers validate closed (unknown event types and fields rejected); consumers are tolerant readers (unknown event types accepted unchecked, unknown fields ignored). The envelope rules are in the [README](../README.md#the-envelope).',
    index: contract.eventTypes.map((t) => ({ eventType: t.eventType, streamKey: t.streamKey, summary: (isObject(messages[t.eventType]) ? text(messages[t.eventType] as JsonObject, 'summary') : undefined) ?? '', lifecycle: t.lifecycle.state })),
    sections,
    formats: tail.join('\n'),
  };
}

/**
 * Renders docs/events.md: a plain Markdown page for code review and git hosts, one section per
 * event type with its stream key, a field table (type, required, description, constraints) of
 * the whole event, and its examples.
 *
 * @example
 * renderDocsMarkdown(contract); // '# GoodGo events 0.1.0\n...'
 */
export function renderDocsMarkdown(contract: ContractData): string {
  const parts = docsParts(contract);
  const out: string[] = [
    generatedHeader('asyncapi.yaml and schemas/', { comment: '<!--' }).trimEnd(),
    `# ${parts.title}`,
    '',
    parts.intro,
    '',
    '| event type | stream key | summary |',
    '| --- | --- | --- |',
    ...parts.index.map((t) => `| [\`${t.eventType}\`](#${anchor(t.eventType)}) | \`${t.streamKey}\` | ${cell(t.summary)} |`),
    '',
    ...parts.sections.values(),
    parts.formats,
  ];
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** Each payload version of a type, oldest first, with the release that first had it (or none yet). */
function versionHistory(eventType: string, current: string, releases: readonly Release[]): [string, string][] {
  const first = new Map<string, string>();
  for (const r of releases) {
    const v = r.payloadVersions[eventType];
    if (v !== undefined && !first.has(v)) first.set(v, `${r.version} (${r.date})`);
  }
  if (!first.has(current)) first.set(current, 'not released yet');
  return [...first];
}

/** The fields of an object schema, depth first, with dotted paths; allOf members merged in. */
function fieldRows(schema: JsonObject, prefix: string, parentRequired: boolean, formats: Map<string, { pattern: string; description: string }>): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].map(String) : []);
  for (const [key, raw] of Object.entries(isObject(schema['properties']) ? schema['properties'] : {})) {
    if (!isObject(raw)) continue;
    const prop = merged(raw);
    const path = prefix ? `${prefix}.${key}` : key;
    rows.push({ path, type: typeOf(prop), required: parentRequired && required.has(key), description: String(prop['description'] ?? ''), constraints: constraintsOf(prop, formats) });
    if (isObject(prop['properties'])) rows.push(...fieldRows(prop, path, parentRequired && required.has(key), formats));
  }
  return rows;
}

/** A property with its allOf members folded in; its own description wins. */
function merged(schema: JsonObject): JsonObject {
  if (!Array.isArray(schema['allOf'])) return schema;
  const out: JsonObject = {};
  for (const member of schema['allOf']) if (isObject(member)) Object.assign(out, merged(member));
  for (const [k, v] of Object.entries(schema)) if (k !== 'allOf') out[k] = v;
  return out;
}

function typeOf(schema: JsonObject): string {
  const base = typeof schema['type'] === 'string' ? schema['type'] : 'any';
  const title = typeof schema['title'] === 'string' && (base === 'object' || Array.isArray(schema['enum'])) ? ` (${schema['title']})` : '';
  return `${base}${title}`;
}

function constraintsOf(schema: JsonObject, formats: Map<string, { pattern: string; description: string }>): string[] {
  const c: string[] = [];
  if ('const' in schema) c.push(`always \`${JSON.stringify(schema['const'])}\``);
  if (Array.isArray(schema['enum'])) c.push(`one of ${schema['enum'].map((v) => `\`${String(v)}\``).join(', ')}`);
  if (typeof schema['pattern'] === 'string') {
    // A titled pattern is a named format: shown by name here, once with its pattern under Formats.
    if (typeof schema['title'] === 'string' && !Array.isArray(schema['enum'])) {
      const title = schema['title'];
      const definition = formats.get(title);
      formats.set(title, { pattern: schema['pattern'], description: definition?.description || String(schema['description'] ?? '') });
      c.push(`format [\`${title}\`](#${anchor(title)})`);
    } else {
      c.push(`pattern \`${schema['pattern']}\``);
    }
  }
  if (typeof schema['minLength'] === 'number') c.push(`at least ${schema['minLength']} characters`);
  if (typeof schema['maxLength'] === 'number') c.push(`at most ${schema['maxLength']} characters`);
  if (typeof schema['minimum'] === 'number') c.push(`≥ ${schema['minimum']}`);
  if (typeof schema['maximum'] === 'number') c.push(`≤ ${schema['maximum']}`);
  if (schema['type'] === 'object' && schema['additionalProperties'] === false) c.push('no other fields (producer mode)');
  const example = Array.isArray(schema['examples']) ? schema['examples'][0] : undefined;
  if (example !== undefined) c.push(`e.g. \`${String(example)}\``);
  return c;
}

/** Table-cell safe: pipes escaped (GitHub needs it even in code spans), no line breaks. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The anchor GitHub gives a heading. */
export function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}
