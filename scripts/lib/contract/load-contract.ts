import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AsyncAPIDocumentInterface } from '@asyncapi/parser';
import jsYaml from 'js-yaml';
import { ContractError, ContractErrors } from './contract-error.js';
import { jsonPointer } from './json-pointer.js';
import { fillKey, readBinding, readLimits, type EventLimits, type RedisBinding } from './load-binding.js';
import { isObject, type JsonObject } from './json-object.js';
import { readReleases, type Release } from './releases.js';

export type { JsonObject } from './json-object.js';

/** A JSON Schema file from schemas/, as written. */
export interface SchemaFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly file: string;
  readonly schema: JsonObject;
}

/** One event type as the contract declares it, checked for consistency across the files. */
export interface ContractEventType {
  /** The dotted event type, e.g. `payment.completed`: channel key, message key and name. */
  readonly eventType: string;
  /** The Redis stream key: the channel address, `events:<eventType>`. */
  readonly streamKey: string;
  /** Where entries of this stream that cannot be handled go: `{<streamKey>}:dead-letter`. */
  readonly deadLetterKey: string;
  /** Where they went before the keys were hash-tagged (read during a rollout): `<streamKey>:dead-letter`. */
  readonly legacyDeadLetterKey: string;
  /** `$id` and title of the per-type event (envelope) schema in schemas/events/. */
  readonly eventSchema: { readonly id: string; readonly title: string };
  /** `$id` and title of the payload schema, `schemas/<eventType>.schema.json`. */
  readonly payloadSchema: { readonly id: string; readonly title: string };
  /** The message examples' payloads (whole envelopes). */
  readonly examples: readonly { readonly name: string; readonly payload: unknown }[];
  /** Where the type stands: the message's `x-lifecycle`, as written (checked by `npm run check`). */
  readonly lifecycle: Lifecycle;
  /** The payload's version, the message's `x-payload-version` as written (`MAJOR.MINOR`; checked by `npm run check`); absent in a contract from before it. */
  readonly payloadVersion: string | undefined;
}

/** The lifecycle states of an event type, in order. */
export const LIFECYCLE_STATES = ['draft', 'dual-publish', 'enforced', 'deprecated'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** A message's `x-lifecycle`: its state and the dates and replacement that go with it. */
export interface Lifecycle {
  readonly state: LifecycleState;
  readonly dualPublishSince?: string;
  readonly enforcedSince?: string;
  readonly deprecatedSince?: string;
  readonly replacement?: string;
}

/** A retired event type name, kept so it is never reused. */
export interface ReservedEventType {
  readonly name: string;
  readonly retired?: string;
  readonly reason?: string;
}

/** The whole contract, loaded and cross-checked. */
export interface Contract {
  readonly root: string;
  /** asyncapi.yaml as written (YAML parsed, nothing resolved). */
  readonly raw: JsonObject;
  readonly document: AsyncAPIDocumentInterface;
  readonly schemas: readonly SchemaFile[];
  /** `$id` of schemas/envelope.schema.json. */
  readonly envelopeSchemaId: string;
  /** Sorted by event type. */
  readonly eventTypes: readonly ContractEventType[];
  /** The document's `x-reserved-event-types`. */
  readonly reserved: readonly ReservedEventType[];
  /** The Redis Streams wire protocol (`x-redis-streams`); absent only in an old contract read with `strict: false`. */
  readonly binding: RedisBinding | undefined;
  /** The bounds every reader applies before parsing (`x-event-limits`); absent as `binding` is. */
  readonly limits: EventLimits | undefined;
  /** The releases recorded in `releases/`, oldest first (none in a frozen copy of the contract). */
  readonly releases: readonly Release[];
}


/** The stream key scheme, documented in asyncapi.yaml and the README. */
export const streamKeyOf = (eventType: string): string => `events:${eventType}`;

const DOCUMENT = 'asyncapi.yaml';
// The same rule as EventType in schemas/envelope.schema.json.
const EVENT_TYPE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;


/** The contract without the parsed AsyncAPI document: what can be known from the files alone, fast. */
export type ContractData = Omit<Contract, 'document'>;

/**
 * Loads asyncapi.yaml and schemas/ from `root`, runs `@asyncapi/parser` on the document and
 * checks that every channel, operation, message and schema agrees on the event type. The
 * parser's problems come first: when it reports any, they are the ones thrown.
 *
 * `strict: false` reads an older contract (compat's base): one from before `x-lifecycle` (every
 * type then counts as enforced) or `x-dead-letter-stream`.
 *
 * @throws {ContractErrors} listing every problem, each with file, JSON pointer and fix.
 * @example
 * const contract = await loadContract(process.cwd());
 * contract.eventTypes.map((t) => t.streamKey); // ['events:kyc.verified', ...]
 */
export async function loadContract(root: string, options: { strict?: boolean } = {}): Promise<Contract> {
  // Files that do not read (bad JSON, bad YAML) are reported as such, before the parser's view of them.
  const files = { root, schemas: await readSchemas(root), raw: await readRawDocument(root) };
  const [data, document] = await Promise.allSettled([crossCheck(files, options), parseDocument(root)]);
  if (document.status === 'rejected') throw document.reason;
  if (data.status === 'rejected') throw data.reason;
  return { ...data.value, document: document.value };
}

/** The document as `@asyncapi/parser` reads it, with its core and recommended rules; its problems thrown. */
async function parseDocument(root: string): Promise<AsyncAPIDocumentInterface> {
  const { document, problems } = await parseWithProblems(root, true);
  if (document === undefined || problems.length > 0) throw new ContractErrors(problems.length > 0 ? problems : [unparsable()]);
  return document;
}

/**
 * Runs `@asyncapi/parser` on asyncapi.yaml at `root` (or on `document`, the file's data changed
 * in memory, resolved as if it were the file) and returns its errors and warnings as contract
 * errors. With `lint`, its core and recommended rules too.
 *
 * @example
 * const { problems } = await parseWithProblems(root, true);
 */
export async function parseWithProblems(root: string, lint: boolean, document?: JsonObject): Promise<{ document: AsyncAPIDocumentInterface | undefined; problems: ContractError[] }> {
  // Imported here, not above: it takes a second to load, and most scripts read the files alone.
  const { Parser, fromFile, DiagnosticSeverity } = await import('@asyncapi/parser');
  // `source` must be the absolute path: relative $refs resolve against it, not the cwd.
  const parser = new Parser({ ruleset: { core: lint, recommended: lint } });
  const source = path.join(root, DOCUMENT);
  const { document: parsed, diagnostics } = document === undefined ? await fromFile(parser, source).parse() : await parser.parse(JSON.stringify(document), { source });
  const problems: ContractError[] = [];
  for (const d of diagnostics) {
    // Hints and infos (e.g. "3.1.0 exists") are advice; Modelina only supports 3.0.0.
    if (d.severity !== DiagnosticSeverity.Error && d.severity !== DiagnosticSeverity.Warning) continue;
    problems.push(
      new ContractError({
        file: d.source ? path.relative(root, d.source) || DOCUMENT : DOCUMENT,
        pointer: jsonPointer(d.path),
        message: `${d.code}: ${d.message}`,
        fix: d.code === 'invalid-ref'
          ? 'point the $ref at a file and JSON pointer that exist (paths are relative to the file holding the $ref)'
          : 'correct the document so that @asyncapi/parser reports no error or warning',
      }),
    );
  }
  return { document: parsed, problems };
}

/**
 * Reads asyncapi.yaml and schemas/ and cross-checks them (every channel, operation, message and
 * schema agrees on the event type), without `@asyncapi/parser` unless they do not: then its
 * problems are the ones thrown, when it has any (a $ref to nothing, in the parser's words).
 *
 * @throws {ContractErrors} listing every problem.
 * @example
 * const data = await readContract(process.cwd());
 */
export async function readContract(root: string, options: { strict?: boolean } = {}): Promise<ContractData> {
  const files = { root, schemas: await readSchemas(root), raw: await readRawDocument(root) };
  try {
    return await crossCheck(files, options);
  } catch (e) {
    // Some mistakes (a $ref to nothing) show here only as their consequences: the parser, when it
    // has something to say, says it in the words of the cause.
    const { problems } = await parseWithProblems(root, false);
    throw problems.length > 0 ? new ContractErrors(problems) : e;
  }
}

/** The cross-checks of {@link readContract}, on files already read. */
async function crossCheck({ root, schemas, raw }: { root: string; schemas: SchemaFile[]; raw: JsonObject }, options: { strict?: boolean }): Promise<ContractData> {
  const problems: ContractError[] = [];
  const byId = new Map(schemas.map((s) => [String(s.schema['$id']), s]));
  const byFile = new Map(schemas.map((s) => [s.file, s]));
  const envelope = byFile.get('schemas/envelope.schema.json');
  if (!envelope) {
    throw new ContractErrors([
      new ContractError({ file: 'schemas/envelope.schema.json', pointer: '', message: 'missing', fix: 'restore the envelope schema' }),
    ]);
  }

  // An old contract (compat's base, strict: false) may predate the structured binding.
  const lenient = options.strict === false && !(isObject(raw['servers']) && isObject(raw['servers']['redis']) && isObject(raw['servers']['redis']['x-redis-streams']) && 'scripts' in raw['servers']['redis']['x-redis-streams']);
  const binding = lenient ? undefined : readBinding(root, raw, problems);
  const limits = lenient ? undefined : readLimits(raw, problems);
  const channels = isObject(raw['channels']) ? raw['channels'] : {};
  const operations = isObject(raw['operations']) ? raw['operations'] : {};
  const messages = isObject(raw['components']) && isObject(raw['components']['messages']) ? raw['components']['messages'] : {};
  // The send operation of each channel, by the channel $ref it points at.
  const sends = new Map<unknown, number>();
  for (const op of Object.values(operations)) {
    if (isObject(op) && op['action'] === 'send' && isObject(op['channel'])) sends.set(op['channel']['$ref'], (sends.get(op['channel']['$ref']) ?? 0) + 1);
  }
  const context: TypeContext = { byFile, messages, sends, binding, strict: options.strict !== false, lenient, problems };
  const eventTypes = Object.entries(channels).flatMap(([key, channel]) => {
    const t = eventTypeOf(key, channel, context);
    return t === undefined ? [] : [t];
  });

  for (const [key] of Object.entries(messages)) {
    if (!(key in channels)) problems.push(new ContractError({ file: DOCUMENT, pointer: jsonPointer(['components', 'messages', key]), message: 'message used by no channel', fix: 'add its channel and send operation, or remove it' }));
  }
  for (const s of schemas) {
    // schemas/<type>.schema.json (a payload) and schemas/events/<type>.schema.json; the shared
    // schemas' names have no dot, an event type's always has one.
    const m = /^schemas\/(?:events\/)?([^/]+\.[^/]+)\.schema\.json$/.exec(s.file);
    if (m && !(m[1]! in channels)) problems.push(new ContractError({ file: s.file, pointer: '', message: `schema for "${m[1]}", which has no channel`, fix: 'add the event type to asyncapi.yaml, or remove the schema' }));
  }
  if (byId.size !== schemas.length) problems.push(new ContractError({ file: 'schemas/', pointer: '/$id', message: 'two schemas share an $id', fix: 'give every schema its own $id' }));
  if (problems.length > 0) throw new ContractErrors(problems);

  eventTypes.sort((a, b) => (a.eventType < b.eventType ? -1 : a.eventType > b.eventType ? 1 : 0));
  const rawReserved = raw['x-reserved-event-types'];
  const reserved: ReservedEventType[] = Array.isArray(rawReserved)
    ? rawReserved.filter(isObject).map((r) => ({ name: String(r['name']), ...(r['retired'] !== undefined ? { retired: String(r['retired']) } : {}), ...(r['reason'] !== undefined ? { reason: String(r['reason']) } : {}) }))
    : [];
  return { root, raw, schemas, envelopeSchemaId: String(envelope.schema['$id']), eventTypes, reserved, binding, limits, releases: await readReleases(root) };
}

/** What {@link eventTypeOf} checks one channel against. */
interface TypeContext {
  readonly byFile: ReadonlyMap<string, SchemaFile>;
  readonly messages: JsonObject;
  readonly sends: ReadonlyMap<unknown, number>;
  readonly binding: RedisBinding | undefined;
  readonly strict: boolean;
  readonly lenient: boolean;
  readonly problems: ContractError[];
}

/** One channel as an event type, cross-checked with its operation, message and schemas; problems go to `context.problems`. */
function eventTypeOf(key: string, channel: unknown, context: TypeContext): ContractEventType | undefined {
  const { byFile, messages, sends, binding, strict, lenient, problems } = context;
  const at = (...segments: (string | number)[]): string => jsonPointer(['channels', key, ...segments]);
  const problem = (pointer: string, message: string, fix: string): void => {
    problems.push(new ContractError({ file: DOCUMENT, pointer, message, fix }));
  };
  if (!EVENT_TYPE.test(key)) {
    problem(at(), `channel key "${key}" is not an event type`, 'key each channel by its event type, <aggregate>.<past-tense-verb>');
    return undefined;
  }
  if (!isObject(channel)) return undefined; // the parser reports it
  const streamKey = streamKeyOf(key);
  const deadLetterKey = fillKey(binding?.deadLetterStream ?? '<stream>:dead-letter', { stream: streamKey });
  if (channel['address'] !== streamKey) {
    problem(at('address'), `address is ${JSON.stringify(channel['address'])}, expected "${streamKey}"`, 'set the channel address to events:<eventType>');
  }
  if (channel['x-dead-letter-stream'] !== deadLetterKey && (strict || channel['x-dead-letter-stream'] !== undefined)) {
    problem(at('x-dead-letter-stream'), `x-dead-letter-stream is ${JSON.stringify(channel['x-dead-letter-stream'])}, expected "${deadLetterKey}"`, 'set it to the x-redis-streams deadLetterStream template filled with the address');
  }
  const channelMessages = isObject(channel['messages']) ? Object.keys(channel['messages']) : [];
  if (channelMessages.length !== 1 || channelMessages[0] !== key) {
    problem(at('messages'), `channel must carry exactly one message keyed "${key}", found ${JSON.stringify(channelMessages)}`, 'one channel per event type, one message per channel');
  }
  const sendCount = sends.get(`#/channels/${key}`) ?? 0;
  if (sendCount !== 1) {
    problem(at(), `channel needs exactly one send operation, found ${sendCount}`, `add operations.${key} with action: send and channel: $ref '#/channels/${key}' (Modelina skips channels without one)`);
  }
  const message = messages[key];
  const mAt = (...segments: (string | number)[]): string => jsonPointer(['components', 'messages', key, ...segments]);
  if (!isObject(message)) {
    problem(mAt(), `no message for event type "${key}"`, `add components.messages.${key}`);
    return undefined;
  }
  if (message['name'] !== key) problem(mAt('name'), `name is ${JSON.stringify(message['name'])}, expected "${key}"`, 'name the message after its event type');
  const payloadRef = isObject(message['payload']) ? message['payload']['$ref'] : undefined;
  const expectedRef = `./schemas/events/${key}.schema.json`;
  if (payloadRef !== expectedRef) {
    problem(mAt('payload'), `payload is ${JSON.stringify(message['payload'])}, expected {$ref: '${expectedRef}'}`, 'point the message payload at its event schema');
    return undefined;
  }
  const eventFile = byFile.get(`schemas/events/${key}.schema.json`);
  // An older contract (compat's base, strict: false) kept the payloads in schemas/payloads/.
  const payloadDir = !strict && byFile.has(`schemas/payloads/${key}.schema.json`) ? 'payloads/' : '';
  const payloadFile = byFile.get(`schemas/${payloadDir}${key}.schema.json`);
  if (!eventFile || !payloadFile) return undefined; // the parser reports the broken $ref
  checkEventSchema(key, eventFile, `../${payloadDir}${key}.schema.json`, problems);
  const examples = Array.isArray(message['examples']) ? message['examples'] : [];
  if (examples.length === 0) problem(mAt('examples'), 'no example', 'add at least one example whose payload is a whole, valid envelope');
  return {
    eventType: key,
    streamKey,
    deadLetterKey: lenient && typeof channel['x-dead-letter-stream'] === 'string' ? channel['x-dead-letter-stream'] : deadLetterKey,
    legacyDeadLetterKey: fillKey(binding?.legacyDeadLetterStream ?? '<stream>:dead-letter', { stream: streamKey }),
    eventSchema: { id: String(eventFile.schema['$id']), title: String(eventFile.schema['title']) },
    payloadSchema: { id: String(payloadFile.schema['$id']), title: String(payloadFile.schema['title']) },
    examples: examples.map((e: unknown, i: number) => ({
      name: isObject(e) && typeof e['name'] === 'string' ? e['name'] : `#${i}`,
      payload: isObject(e) ? e['payload'] : undefined,
    })),
    lifecycle: lifecycleOf(message['x-lifecycle'], strict, () => mAt('x-lifecycle'), problems),
    payloadVersion: typeof message['x-payload-version'] === 'string' ? message['x-payload-version'] : message['x-payload-version'] === undefined ? undefined : String(message['x-payload-version']),
  };
}

/** The event schema pins eventType to its type and points payload at the type's payload schema. */
function checkEventSchema(key: string, eventFile: SchemaFile, payloadRef: string, problems: ContractError[]): void {
  const props = isObject(eventFile.schema['properties']) ? eventFile.schema['properties'] : {};
  const eventTypeProp = props['eventType'];
  if (!isObject(eventTypeProp) || eventTypeProp['const'] !== key) {
    problems.push(new ContractError({ file: eventFile.file, pointer: '/properties/eventType/const', message: `must be "${key}"`, fix: 'pin eventType to the event type with const' }));
  }
  const payloadProp = props['payload'];
  const payloadRefInEvent = isObject(payloadProp) ? payloadProp['$ref'] : undefined;
  if (payloadRefInEvent !== payloadRef) {
    problems.push(new ContractError({ file: eventFile.file, pointer: '/properties/payload/$ref', message: `must be "${payloadRef}"`, fix: 'point payload at the payload schema of the same event type' }));
  }
}

/** A message's x-lifecycle as written; contracts from before x-lifecycle (compat's base) had every type enforced. */
function lifecycleOf(rawLifecycle: unknown, strict: boolean, at: () => string, problems: ContractError[]): Lifecycle {
  const state = isObject(rawLifecycle) ? rawLifecycle['state'] : undefined;
  if (!LIFECYCLE_STATES.includes(state as LifecycleState) && (strict || rawLifecycle !== undefined)) {
    problems.push(new ContractError({ file: DOCUMENT, pointer: at(), message: `x-lifecycle.state is ${JSON.stringify(state)}`, fix: `give the message x-lifecycle with state one of ${LIFECYCLE_STATES.join(', ')} (a new type starts as draft or dual-publish)` }));
  }
  const dateOf = (key: string): string | undefined => (isObject(rawLifecycle) && rawLifecycle[key] !== undefined ? String(rawLifecycle[key]) : undefined);
  return Object.fromEntries(
    Object.entries({ state: state ?? 'enforced', dualPublishSince: dateOf('dualPublishSince'), enforcedSince: dateOf('enforcedSince'), deprecatedSince: dateOf('deprecatedSince'), replacement: dateOf('replacement') }).filter(([, v]) => v !== undefined),
  ) as unknown as Lifecycle;
}

function unparsable(): ContractError {
  return new ContractError({ file: DOCUMENT, pointer: '', message: 'the parser returned no document', fix: 'check that the file is valid AsyncAPI 3.0.0 YAML' });
}

async function readRawDocument(root: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path.join(root, DOCUMENT), 'utf8');
  } catch (e) {
    throw new ContractErrors([new ContractError({ file: DOCUMENT, pointer: '', message: `cannot read: ${(e as Error).message}`, fix: 'run from the repository root' })]);
  }
  let raw: unknown;
  try {
    // js-yaml with the YAML 1.2 core schema (no timestamps: a date stays a string): the same data
    // as the yaml package gives, 5 to 8 times faster (0.1 s vs 0.5-0.9 s for the 300-type contract).
    raw = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch (e) {
    throw new ContractErrors([new ContractError({ file: DOCUMENT, pointer: '', message: `not valid YAML: ${(e as Error).message}`, fix: 'fix the YAML syntax' })]);
  }
  if (!isObject(raw)) throw new ContractErrors([unparsable()]);
  return raw;
}

/** Reads every `*.schema.json` under schemas/, sorted by path. */
async function readSchemas(root: string): Promise<SchemaFile[]> {
  const dir = path.join(root, 'schemas');
  const entries = await readdir(dir, { recursive: true });
  const files = entries.filter((f) => f.endsWith('.schema.json')).map((f) => f.split(path.sep).join('/')).sort();
  const out: SchemaFile[] = [];
  const problems: ContractError[] = [];
  // Read at once (hundreds of files at 300 types), parsed in order.
  const texts = await Promise.allSettled(files.map((f) => readFile(path.join(dir, f), 'utf8')));
  for (const [i, f] of files.entries()) {
    const file = `schemas/${f}`;
    try {
      const text = texts[i]!;
      if (text.status === 'rejected') throw text.reason;
      const schema: unknown = JSON.parse(text.value);
      if (!isObject(schema) || typeof schema['$id'] !== 'string') {
        problems.push(new ContractError({ file, pointer: '/$id', message: 'a schema file must be an object with a string $id', fix: 'add "$id": "https://schemas.goodgo.dev/contracts-events/<path>"' }));
        continue;
      }
      out.push({ file, schema });
    } catch (e) {
      problems.push(new ContractError({ file, pointer: '', message: `not valid JSON: ${(e as Error).message}`, fix: 'fix the JSON syntax' }));
    }
  }
  if (problems.length > 0) throw new ContractErrors(problems);
  return out;
}
