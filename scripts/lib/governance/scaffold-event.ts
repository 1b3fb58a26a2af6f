import { fillKey } from '../contract/load-binding.js';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Document, isMap, isScalar, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { uuidv7 } from '../../../src/uuid-v7.js';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { eventTypeNameProblem, pascalName } from '../contract/event-type-name.js';
import { writeGenerated } from '../render/write-generated.js';
import { generationOf } from './payload-versions.js';

const ID_BASE = 'https://schemas.goodgo.dev/contracts-events/';


/**
 * Adds a new event type to the contract at `root`: its payload schema (a stub whose description
 * and fields are left for a human), its event schema, channel, send operation and message (in
 * `draft`, with a valid example), then regenerates. `npm run check` afterwards fails only on the
 * placeholders, each named. An invalid or taken name is refused with the rule it breaks.
 *
 * @throws {ContractErrors} for a bad or existing name; nothing is written then.
 * @example
 * await scaffoldEvent(process.cwd(), 'order.shipped', { producer: 'api' });
 */
export async function scaffoldEvent(root: string, eventType: string, options: { producer: string; today?: Date }): Promise<string[]> {
  const refuse = (message: string, fix: string): never => {
    throw new ContractErrors([new ContractError({ file: 'asyncapi.yaml', pointer: '/channels', message, fix })]);
  };
  const problem = eventTypeNameProblem(eventType);
  if (problem) refuse(problem, 'choose a name <aggregate>.<past-tense-verb>, lowercase snake_case, e.g. order.shipped');

  const file = path.join(root, 'asyncapi.yaml');
  const source = await readFile(file, 'utf8');
  const doc = parseDocument(source);
  const reserved = (doc.get('x-reserved-event-types') as { toJSON(): unknown } | undefined)?.toJSON();
  if (Array.isArray(reserved) && reserved.some((r) => typeof r === 'object' && r !== null && (r as { name?: unknown }).name === eventType)) {
    refuse(`"${eventType}" is reserved: a retired name is never reused`, 'choose a new name, e.g. with a _v2 suffix');
  }
  if (doc.hasIn(['channels', eventType]) || existsSync(path.join(root, 'schemas', `${eventType}.schema.json`))) {
    refuse(`"${eventType}" already exists`, 'edit the existing event type, or choose another name');
  }

  const name = pascalName(eventType);
  const payloadSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${ID_BASE}${eventType}.schema.json`,
    title: `${name}Payload`,
    description: `TODO: what happened (${eventType}), and what consumers do with it.`,
    type: 'object',
    required: [],
    additionalProperties: false,
    properties: {},
  };
  const eventSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${ID_BASE}events/${eventType}.schema.json`,
    title: `${name}Event`,
    description: `The envelope of a ${eventType} event. The envelope properties are the ones of envelope.schema.json, by $ref; eventType is pinned and payload is the type's own schema.`,
    type: 'object',
    required: ['schemaVersion', 'eventId', 'eventType', 'occurredAt', 'producer', 'traceId', 'payload'],
    additionalProperties: false,
    properties: {
      schemaVersion: { $ref: '../envelope.schema.json#/definitions/SchemaVersion' },
      eventId: { $ref: '../envelope.schema.json#/definitions/EventId' },
      eventType: { description: `Always ${eventType}.`, type: 'string', const: eventType },
      occurredAt: { $ref: '../common.schema.json#/definitions/UtcTimestamp' },
      producer: { $ref: '../envelope.schema.json#/definitions/Producer' },
      traceId: { $ref: '../envelope.schema.json#/definitions/TraceId' },
      payload: { $ref: `../${eventType}.schema.json` },
    },
  };
  const streamKey = `events:${eventType}`;
  const readable = eventType.replace(/[._]/g, ' ');
  const channel = ({
    address: streamKey,
    'x-dead-letter-stream': fillKey(String(doc.getIn(['servers', 'redis', 'x-redis-streams', 'deadLetterStream']) ?? '{<stream>}:dead-letter'), { stream: streamKey }),
    title: `${eventType} stream`,
    summary: `TODO: one line on what happened.`,
    description: `Redis stream \`${streamKey}\`.`,
    servers: [{ $ref: '#/servers/redis' }],
    messages: { [eventType]: { $ref: `#/components/messages/${eventType}` } },
  });
  const operation = ({
    action: 'send',
    title: `Publish ${eventType}`,
    summary: 'TODO: which service publishes it, and when.',
    channel: { $ref: `#/channels/${eventType}` },
    messages: [{ $ref: `#/channels/${eventType}/messages/${eventType}` }],
  });
  const today = (options.today ?? new Date()).toISOString().slice(0, 10);
  const message = ({
    name: eventType,
    // A new type starts at its generation's first version: payment.completed_v2 at 2.0.
    'x-payload-version': `${generationOf(eventType)}.0`,
    'x-lifecycle': { state: 'draft' },
    title: readable.charAt(0).toUpperCase() + readable.slice(1),
    summary: 'TODO: one line on what happened.',
    description: 'TODO: when it is published and what consumers do with it.',
    contentType: 'application/json',
    payload: { $ref: `./schemas/events/${eventType}.schema.json` },
    examples: [{
      name: 'minimal',
      summary: 'TODO: a realistic example, once the payload has its fields.',
      payload: {
        schemaVersion: 1,
        eventId: uuidv7(),
        eventType,
        occurredAt: `${today}T00:00:00.000Z`,
        producer: options.producer,
        traceId: '00000000000000000000000000000000',
        payload: {},
      },
    }],
  });

  const written = [
    `schemas/${eventType}.schema.json`,
    `schemas/events/${eventType}.schema.json`,
  ];
  await writeFile(path.join(root, written[0]!), `${JSON.stringify(payloadSchema, null, 2)}\n`);
  await writeFile(path.join(root, written[1]!), `${JSON.stringify(eventSchema, null, 2)}\n`);
  // Inserted as text, in sorted place: the rest of the file (comments, folded blocks, quoting)
  // stays byte for byte as its authors wrote it.
  let text = source;
  const inserts = [
    insertion(source, doc, ['channels'], eventType, channel),
    insertion(source, doc, ['operations'], eventType, operation),
    insertion(source, doc, ['components', 'messages'], eventType, message),
  ].sort((a, b) => b.at - a.at);
  for (const { at, snippet } of inserts) text = text.slice(0, at) + snippet + text.slice(at);
  await writeFile(file, text);
  await writeGenerated(root);
  return [...written, 'asyncapi.yaml'];
}

/**
 * Where `key: value` goes in the map at `at` (before the first key that sorts after it, else
 * after the map's last entry) and its text, indented as the map's entries are. Strings that a
 * YAML 1.1 reader (PyYAML) would take for a date or time are single-quoted.
 */
function insertion(source: string, doc: Document, at: readonly string[], key: string, value: unknown): { at: number; snippet: string } {
  const map = doc.getIn(at, true);
  if (!isMap(map) || map.items.length === 0 || !map.range) {
    throw new ContractErrors([new ContractError({ file: 'asyncapi.yaml', pointer: `/${at.join('/')}`, message: 'is not a map with at least one entry', fix: 'restore the section: new-event adds its entry beside the existing ones' })]);
  }
  const lineStart = (offset: number): number => source.lastIndexOf('\n', offset - 1) + 1;
  const nextLine = (offset: number): number => (offset === lineStart(offset) ? offset : source.indexOf('\n', offset) + 1);
  const firstKey = (map.items[0]!.key as YamlNode).range![0];
  const indent = firstKey - lineStart(firstKey);
  const next = map.items.find((item) => isScalar(item.key) && String(item.key.value) > key);
  const offset = next ? lineStart((next.key as YamlNode).range![0]) : nextLine(map.range[1]);
  const snippet = new Document({ [key]: value });
  visit(snippet, { Scalar: (_, node) => {
    if (typeof node.value === 'string' && /^\d{4}-\d{2}-\d{2}([Tt ]|$)/.test(node.value)) node.type = 'QUOTE_SINGLE';
  } });
  const text = snippet.toString({ lineWidth: 0, singleQuote: true }).trimEnd().split('\n').map((l) => ' '.repeat(indent) + l).join('\n');
  return { at: offset, snippet: `${text}\n` };
}
