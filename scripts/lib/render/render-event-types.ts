import type { ContractData } from '../contract/load-contract.js';
import { generatedHeader } from './generated-header.js';

/**
 * Renders the event-type list, the stream keys and the type-level maps from event type to
 * payload and event model. The model names are the schema titles, which Modelina uses too.
 *
 * @example
 * const source = renderEventTypes(contract); // 'export const EVENT_TYPES = [...] as const;'
 */
export function renderEventTypes(contract: ContractData): string {
  const types = contract.eventTypes;
  const q = (s: string): string => JSON.stringify(s).replaceAll('"', "'");
  const imports = types.flatMap((t) => [t.eventSchema.title, t.payloadSchema.title]).sort();
  return [
    generatedHeader('asyncapi.yaml (channels and messages)'),
    `import type { ${imports.join(', ')} } from './models.js';`,
    '',
    '/** Every event type in the contract (the channel and message keys of asyncapi.yaml), sorted. */',
    `export const EVENT_TYPES = [${types.map((t) => q(t.eventType)).join(', ')}] as const;`,
    '',
    '/** The Redis stream key of each event type: its channel address in asyncapi.yaml, `events:<eventType>`. */',
    'export const EVENT_STREAM_KEYS = {',
    ...types.map((t) => `  ${q(t.eventType)}: ${q(t.streamKey)},`),
    '} as const;',
    '',
    '/** The dead-letter stream of each event type\'s stream: `{<stream>}:dead-letter` (x-dead-letter-stream), in the stream\'s cluster slot. */',
    'export const EVENT_DEAD_LETTER_KEYS = {',
    ...types.map((t) => `  ${q(t.eventType)}: ${q(t.deadLetterKey)},`),
    '} as const;',
    '',
    '/** Where dead letters went before the keys were hash-tagged (`<stream>:dead-letter`): read them during a rollout. */',
    'export const EVENT_LEGACY_DEAD_LETTER_KEYS = {',
    ...types.map((t) => `  ${q(t.eventType)}: ${q(t.legacyDeadLetterKey)},`),
    '} as const;',
    '',
    '/** `x-event-limits`: the bounds every reader applies before parsing an event (bytes, nesting depth, characters of one number). */',
    `export const EVENT_LIMITS = { maxEventBytes: ${contract.limits?.maxEventBytes}, maxDepth: ${contract.limits?.maxDepth}, maxNumberLength: ${contract.limits?.maxNumberLength} } as const;`,
    '',
    '/** The stream entry field that holds the envelope as UTF-8 JSON (x-redis-streams on the server). */',
    `export const STREAM_ENTRY_FIELD = ${q(contract.binding?.entryField ?? 'envelope')};`,
    '',
    '/**',
    ' * Where each event type stands (`x-lifecycle` in asyncapi.yaml). Until a type is `enforced`,',
    ' * consumer-mode validation reports a payload that fails its schema as warnings, not a rejection.',
    ' */',
    'export const EVENT_LIFECYCLE = {',
    ...types.map((t) => `  ${q(t.eventType)}: ${q(t.lifecycle.state)},`),
    '} as const;',
    '',
    '/**',
    ' * The payload version of each event type (`x-payload-version`, MAJOR.MINOR): MINOR counts the',
    " * compatible changes of its payload schema, MAJOR is the type's generation (`<type>_v2` is 2).",
    ' * It does not travel in the envelope.',
    ' */',
    'export const EVENT_PAYLOAD_VERSIONS = {',
    ...types.map((t) => `  ${q(t.eventType)}: ${q(t.payloadVersion ?? '1.0')},`),
    '} as const;',
    '',
    "/** The `$id` of each event type's payload schema (`schemas/<eventType>.schema.json`): CloudEvents' `dataschema`. */",
    'export const EVENT_PAYLOAD_SCHEMA_IDS = {',
    ...types.map((t) => `  ${q(t.eventType)}: ${q(t.payloadSchema.id)},`),
    '} as const;',
    '',
    '/** The payload model of each event type. */',
    'export interface EventPayloadMap {',
    ...types.map((t) => `  ${q(t.eventType)}: ${t.payloadSchema.title};`),
    '}',
    '',
    '/** The whole event (envelope and payload) model of each event type. */',
    'export interface EventMap {',
    ...types.map((t) => `  ${q(t.eventType)}: ${t.eventSchema.title};`),
    '}',
    '',
  ].join('\n');
}
