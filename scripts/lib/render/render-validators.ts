import { Ajv, type ValidateFunction } from 'ajv';
import ajvStandalone from 'ajv/dist/standalone/index.js';

import type { ContractData, JsonObject } from '../contract/load-contract.js';
import { consumerId, idPrefixOf, MODES, toConsumerSchema, withoutAnnotations, type Mode } from '../contract/schema-modes.js';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { generatedHeader } from './generated-header.js';
import { runInWorker } from '../run-in-worker.js';
import { issueMessage, type PatternHint } from '../../../src/issue-message.js';

// ajv ships CommonJS with `exports.default`: under NodeNext the default import is the module.
const standaloneCode = ajvStandalone.default;


/** Where each type's payload validators are written: one CommonJS module per event type. */
export const PAYLOAD_VALIDATORS_DIR = 'generated/payload-validators';

/** The generated validator files: path relative to the root -> content. */
export interface CompiledValidators {
  /** `generated/validators.js`, `.d.ts`, `generated/payload-validators.cjs`, `.d.cts` and one module per type. */
  readonly files: Map<string, string>;
  /** The compiled functions, by `<mode>:envelope` and `<mode>:<eventType>` (payload), for checking the examples here. */
  readonly validate: Map<string, ValidateFunction>;
  readonly hints: [string, PatternHint][];
}

/**
 * Compiles every schema with ajv in both modes and returns the standalone source of the
 * validators, which needs no ajv at run time (no schema compilation, no `new Function`):
 *
 * - `generated/validators.js`: the envelope validator of each mode, shared by every event type,
 *   and the pattern hints. Every importer loads it.
 * - `generated/payload-validators/<eventType>.cjs`: the payload validators of one type (both modes).
 * - `generated/payload-validators.cjs`: the registry, one `require` per type behind a function,
 *   so a process loads (and parses) only the types it meets, synchronously. CommonJS because
 *   `require` is the only synchronous, eval-free way to load code on demand in Node, and because
 *   bundlers (esbuild) follow a static `require('./x.cjs')` and keep it lazy in the bundle.
 *
 * @throws {ContractErrors} when a schema does not compile in ajv's strict mode, or a message
 *   example fails its schema in producer mode.
 * @example
 * const { files } = compileValidators(contract);
 */
export function compileValidators(contract: ContractData): CompiledValidators {
  const ajv = newAjv({ source: true });
  const validate = new Map<string, ValidateFunction>();
  const compile = compilerFor(ajv, contract, MODES, validate);
  const envelopeIds = Object.fromEntries(MODES.map((mode) => [mode, compile(mode, 'envelope', contract.envelopeSchemaId)]));
  const files = new Map<string, string>();
  for (const t of contract.eventTypes) {
    const ids = Object.fromEntries(MODES.map((mode) => [mode, compile(mode, t.eventType, t.payloadSchema.id)]));
    files.set(`${PAYLOAD_VALIDATORS_DIR}/${t.eventType}.cjs`, [
      generatedHeader(`${t.payloadSchema.id} (ajv standalone payload validators of ${t.eventType}, both modes)`).trimEnd(),
      standalone(ajv, ids, 'cjs'),
      '',
    ].join('\n'));
  }

  const hints = patternHints(contract);
  checkExamples(contract, validate, new Map(hints));

  files.set('generated/validators.js', [
    generatedHeader('schemas/envelope.schema.json (ajv standalone envelope validators, producer and consumer modes)').trimEnd(),
    standalone(ajv, envelopeIds, 'esm'),
    '',
    'export const envelopeValidators = Object.freeze({ producer, consumer });',
    '',
    '// What each pattern means, from the title and first example of the schema that holds it, so',
    '// an error can say "must be a valid TraceId, e.g. ..." instead of printing the regular expression.',
    `export const patternHints = new Map(${JSON.stringify(hints)});`,
    '',
  ].join('\n'));
  files.set('generated/validators.d.ts', VALIDATORS_DTS);
  files.set('generated/payload-validators.cjs', [
    generatedHeader('asyncapi.yaml (the registry of the payload validators, one module per event type)').trimEnd(),
    "'use strict';",
    '// A static require per type, behind a function: Node loads a module on first use only, and a',
    '// bundler sees every module and keeps each one lazy.',
    'exports.payloadValidators = Object.freeze({',
    '  __proto__: null,',
    ...contract.eventTypes.map((t) => `  ${JSON.stringify(t.eventType)}: () => require(${JSON.stringify(`./payload-validators/${t.eventType}.cjs`)}),`),
    '});',
    '',
  ].join('\n'));
  files.set('generated/payload-validators.d.cts', PAYLOAD_VALIDATORS_DCTS);
  return { files, validate, hints };
}

/**
 * Checks that every message example validates in producer mode, naming each failure: what
 * `npm run docs` needs of the validators, without compiling consumer mode or writing any source.
 *
 * @throws {ContractErrors} when a schema does not compile or an example fails its schema.
 * @example
 * checkContractExamples(contract);
 */
export function checkContractExamples(contract: ContractData): void {
  const validate = new Map<string, ValidateFunction>();
  // No source is kept and none is written: ajv's optimisation passes over the code (a fifth to a
  // third of the compile time) would only tidy code that validates a few examples and is dropped.
  const compile = compilerFor(newAjv({ source: false, optimize: false }), contract, ['producer'], validate);
  compile('producer', 'envelope', contract.envelopeSchemaId);
  for (const t of contract.eventTypes) compile('producer', t.eventType, t.payloadSchema.id);
  checkExamples(contract, validate, new Map(patternHints(contract)));
}

/**
 * The validators of one event type in both modes, from the contract's schemas as they are (the
 * working tree, not `generated/`): `<mode>:envelope` and `<mode>:<eventType>` (the payload).
 * For `compat --against-stream`, which asks what a schema change would do to real events.
 *
 * @throws {ContractErrors} when a schema does not compile.
 * @example
 * const validate = validatorsOf(contract, 'payment.completed');
 * validate.get('consumer:payment.completed')!(event.payload);
 */
export function validatorsOf(contract: ContractData, eventType: string): Map<string, ValidateFunction> {
  const type = contract.eventTypes.find((t) => t.eventType === eventType);
  if (!type) throw new Error(`internal: ${eventType} is not an event type of the contract`);
  const validate = new Map<string, ValidateFunction>();
  const compile = compilerFor(newAjv({ source: false }), contract, MODES, validate);
  for (const mode of MODES) {
    compile(mode, 'envelope', contract.envelopeSchemaId);
    compile(mode, eventType, type.payloadSchema.id);
  }
  return validate;
}

/**
 * {@link checkContractExamples} on a worker thread (ajv compiles a schema a type, seconds at
 * hundreds of types), so that `npm run docs` renders the pages meanwhile. The thread starts now;
 * it checks once `contract` resolves.
 *
 * @throws {ContractErrors} when a schema does not compile or an example fails its schema.
 * @example
 * await checkContractExamplesInWorker(readContract(root));
 */
export function checkContractExamplesInWorker(contract: Promise<ContractData>): Promise<void> {
  return runInWorker<void>(new URL('./check-examples-worker.ts', import.meta.url), contract);
}

/**
 * Adds the contract's schemas to `ajv` in `modes` and returns the function that compiles one
 * (by mode, a name for `validate`, and its producer-mode $id) and returns its full $id.
 */
function compilerFor(ajv: Ajv, contract: ContractData, modes: readonly Mode[], validate: Map<string, ValidateFunction>): (mode: Mode, name: string, id: string) => string {
  const prefix = idPrefixOf(contract);
  for (const mode of modes) {
    for (const { file, schema: written } of contract.schemas) {
      const schema = withoutAnnotations(written);
      try {
        ajv.addSchema(mode === 'producer' ? schema : toConsumerSchema(schema, prefix));
      } catch (e) {
        throw new ContractErrors([new ContractError({ file, pointer: '', message: `ajv rejects the schema: ${(e as Error).message}`, fix: 'write draft-07 that ajv compiles in strict mode' })]);
      }
    }
  }
  return (mode, name, id) => {
    const fullId = mode === 'producer' ? id : consumerId(id, prefix);
    let fn: ValidateFunction | undefined;
    try {
      fn = ajv.getSchema(fullId);
    } catch (e) {
      throw new ContractErrors([compileError(fileOfId(contract, id), (e as Error).message)]);
    }
    if (!fn) throw new Error(`internal: no schema with $id ${fullId}`);
    validate.set(`${mode}:${name}`, fn);
    return fullId;
  };
}

function newAjv(code: { source: boolean; optimize?: boolean }): Ajv {
  return new Ajv({
    strict: true,
    allErrors: true,
    // Messages are written by src/validate.ts from each error's params; ajv's own would repeat
    // every pattern in the generated code several times over.
    messages: false,
    // Patterns run with the `u` flag (ECMA-262 unicode mode), as the portable subset assumes.
    unicodeRegExp: true,
    code: { source: code.source, esm: false, lines: false, ...(code.optimize === false ? { optimize: false } : {}) },
  });
}

/** ajv's standalone code for `ids` (export name -> $id), as an ES or a CommonJS module. */
function standalone(ajv: Ajv, ids: Record<string, string>, format: 'esm' | 'cjs'): string {
  // The module format is an option of the instance; the schemas compile once for both formats.
  ajv.opts.code.esm = format === 'esm';
  // ajv's standalone code requires its ucs2length helper; inlining it keeps every module free of
  // imports and ajv out of the runtime deps. Lengths are counted in code points, as JSON Schema
  // and Python's len() do.
  const source = guardLengthChecks(standaloneCode(ajv, ids).replace('require("ajv/dist/runtime/ucs2length").default', UCS2LENGTH));
  if (/\brequire\(/.test(source)) throw new Error('internal: standalone validators still require() a module');
  return source;
}

const VALIDATORS_DTS = [
  generatedHeader('schemas/ (types of the ajv standalone validators)'),
  '/** One error of an ajv validator: where, which keyword, and ajv\'s message. */',
  'export interface CompiledValidatorError {',
  '  instancePath: string;',
  '  schemaPath: string;',
  '  keyword: string;',
  '  params: Record<string, unknown>;',
  '  message?: string;',
  '}',
  '',
  '/** An ajv standalone validate function: returns whether `data` is valid and leaves the errors on `errors`. */',
  'export interface CompiledValidator {',
  '  (data: unknown): boolean;',
  '  errors?: CompiledValidatorError[] | null;',
  '}',
  '',
  '/** One validator per mode. */',
  'export interface ByMode {',
  '  readonly producer: CompiledValidator;',
  '  readonly consumer: CompiledValidator;',
  '}',
  '',
  '/** The envelope validator of each mode, shared by every event type. */',
  'export declare const envelopeValidators: ByMode;',
  '',
  '/** Title and first example of the schema of each pattern in schemas/, by pattern. */',
  'export declare const patternHints: ReadonlyMap<string, { readonly title: string; readonly example?: string }>;',
  '',
].join('\n');

const PAYLOAD_VALIDATORS_DCTS = [
  generatedHeader('asyncapi.yaml (types of the payload validators registry)'),
  "import type { ByMode } from './validators.js';",
  '',
  '/** Loads the payload validators of one event type (both modes), on first call. */',
  'export declare const payloadValidators: { readonly [eventType: string]: (() => ByMode) | undefined };',
  '',
].join('\n');

/** Every pattern in the schemas with the title and first example of the (sub)schema holding it. */
export function patternHints(contract: ContractData): [string, PatternHint][] {
  const hints = new Map<string, PatternHint>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const o = node as JsonObject;
    if (typeof o['pattern'] === 'string' && typeof o['title'] === 'string') {
      const example = Array.isArray(o['examples']) && typeof o['examples'][0] === 'string' ? o['examples'][0] : undefined;
      const hint: PatternHint = example === undefined ? { title: o['title'] } : { title: o['title'], example };
      const seen = hints.get(o['pattern']);
      if (seen && JSON.stringify(seen) !== JSON.stringify(hint)) {
        throw new ContractErrors([new ContractError({ file: 'schemas/', pointer: '', message: `the pattern ${o['pattern']} is titled both ${seen.title} and ${hint.title}`, fix: 'define the pattern once, in a definition, and $ref it' })]);
      }
      hints.set(o['pattern'], hint);
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'examples' && k !== 'enum' && k !== 'const') visit(v);
  };
  for (const { schema } of contract.schemas) visit(schema);
  return [...hints].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * JSON Schema counts string length in code points, so ajv walks the whole string for every
 * minLength/maxLength. A string has at least length/2 and at most length code points (UTF-16),
 * so `.length` settles the check without the walk unless the string is near the limit.
 */
function guardLengthChecks(source: string): string {
  const name = /const (func\d+) = function ucs2length/.exec(source)?.[1];
  if (name === undefined) return source; // no minLength/maxLength anywhere
  let guarded = 0;
  const out = source.replace(new RegExp(`${name}\\((\\w+)\\) ([<>]) (\\d+)`, 'g'), (_, data: string, op: string, limit: string) => {
    guarded++;
    return op === '>'
      ? `(${data}.length > ${limit} && ${name}(${data}) > ${limit})`
      : `(${data}.length < ${2 * Number(limit)} && ${name}(${data}) < ${limit})`;
  });
  const calls = source.split(`${name}(`).length - 1;
  if (guarded !== calls) throw new Error(`internal: guarded ${guarded} of ${calls} ucs2length calls; ajv's output changed shape`);
  return out;
}

const UCS2LENGTH = `function ucs2length(str) {
  const len = str.length;
  let length = 0;
  let pos = 0;
  while (pos < len) {
    length++;
    const value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len && (str.charCodeAt(pos) & 0xfc00) === 0xdc00) pos++;
  }
  return length;
}`;

/** ajv's compile error as a contract error, with the fix for the mistakes people make most. */
function compileError(file: string, message: string): ContractError {
  const format = /unknown format "([^"]+)" ignored in schema at path "#?([^"]*)"/.exec(message);
  if (format) {
    // Formats are annotations that runtimes check differently (or not at all): the contract uses patterns.
    const fix = format[1] === 'date-time'
      ? 'use the shared timestamp instead: {"$ref": "./common.schema.json#/definitions/UtcTimestamp"} (RFC 3339 UTC, checked alike in every runtime)'
      : 'describe the value with a pattern (see the portable subset in CONTRIBUTING.md), not a format';
    return new ContractError({ file, pointer: format[2] ?? '', message: `format "${format[1]}" is not checked alike by every runtime`, fix });
  }
  return new ContractError({ file, pointer: '', message: `ajv cannot compile it: ${message}`, fix: 'fix the schema (a $ref that does not resolve, or a keyword strict mode rejects)' });
}

function fileOfId(contract: ContractData, id: string): string {
  return contract.schemas.find((s) => s.schema['$id'] === id)?.file ?? 'schemas/';
}

function checkExamples(contract: ContractData, validate: Map<string, ValidateFunction>, hints: ReadonlyMap<string, PatternHint>): void {
  const problems: ContractError[] = [];
  const envelope = validate.get('producer:envelope')!;
  for (const t of contract.eventTypes) {
    const payload = validate.get(`producer:${t.eventType}`)!;
    t.examples.forEach((example, i) => {
      const at = `/components/messages/${t.eventType}/examples/${i}/payload`;
      const report = (fn: ValidateFunction, prefix: string): void => {
        for (const err of fn.errors ?? []) {
          problems.push(new ContractError({
            file: 'asyncapi.yaml',
            pointer: `${at}${prefix}${err.instancePath}`,
            message: `example "${example.name}" ${issueMessage(err, hints)} (${err.keyword})`,
            fix: 'make every example a whole envelope that validates in producer mode',
          }));
        }
      };
      const event = example.payload;
      if (!envelope(event)) report(envelope, '');
      const body = typeof event === 'object' && event !== null ? (event as JsonObject)['payload'] : undefined;
      const type = typeof event === 'object' && event !== null ? (event as JsonObject)['eventType'] : undefined;
      if (type !== t.eventType) {
        problems.push(new ContractError({ file: 'asyncapi.yaml', pointer: `${at}/eventType`, message: `example "${example.name}" has eventType ${JSON.stringify(type)}`, fix: `an example of ${t.eventType} has eventType: ${t.eventType}` }));
      }
      if (body !== undefined && !payload(body)) report(payload, '/payload');
    });
  }
  if (problems.length > 0) throw new ContractErrors(problems);
}
