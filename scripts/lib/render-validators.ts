import { Ajv, type ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

import type { Contract, JsonObject } from './load-contract.js';
import { consumerId, idPrefixOf, MODES, toConsumerSchema, withoutAnnotations, type Mode } from './schema-modes.js';
import { ContractError, ContractErrors } from './contract-error.js';
import { generatedHeader } from './generated-header.js';
import { issueMessage, type PatternHint } from '../../src/issue-message.js';

// ajv ships CommonJS with `exports.default`: under NodeNext the default import is the module.
const standaloneCode = standalone.default;

const identifier = (mode: Mode, name: string): string =>
  `${mode}_${name.replace(/[^A-Za-z0-9]+/g, '_')}`;

/**
 * Compiles every schema with ajv in both modes and returns the validators (for checking the
 * examples here) and their standalone ES module source, which needs no ajv at run time: no schema
 * compilation and no `new Function` when the package is used.
 *
 * @throws {ContractErrors} when a schema does not compile in ajv's strict mode, or a message
 *   example fails its schema in producer mode.
 * @example
 * const { js, dts } = compileValidators(contract);
 */
export function compileValidators(contract: Contract): { js: string; dts: string; validate: Map<string, ValidateFunction>; hints: [string, PatternHint][] } {
  const prefix = idPrefixOf(contract);
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    // Messages are written by src/validate.ts from each error's params; ajv's own would repeat
    // every pattern in the generated code several times over.
    messages: false,
    // Patterns run with the `u` flag (ECMA-262 unicode mode), as the portable subset assumes.
    unicodeRegExp: true,
    code: { source: true, esm: true, lines: false },
  });
  for (const mode of MODES) {
    for (const { file, schema: written } of contract.schemas) {
      const schema = withoutAnnotations(written);
      try {
        ajv.addSchema(mode === 'producer' ? schema : toConsumerSchema(schema, prefix));
      } catch (e) {
        throw new ContractErrors([new ContractError({ file, pointer: '', message: `ajv rejects the schema: ${(e as Error).message}`, fix: 'write draft-07 that ajv compiles in strict mode' })]);
      }
    }
  }

  const exports: Record<string, string> = {};
  const validate = new Map<string, ValidateFunction>();
  const compile = (mode: Mode, name: string, id: string): string => {
    const fullId = mode === 'producer' ? id : consumerId(id, prefix);
    let fn: ValidateFunction | undefined;
    try {
      fn = ajv.getSchema(fullId);
    } catch (e) {
      throw new ContractErrors([new ContractError({ file: fileOfId(contract, id), pointer: '', message: `ajv cannot compile it: ${(e as Error).message}`, fix: 'fix the schema (a $ref that does not resolve, or a keyword strict mode rejects)' })]);
    }
    if (!fn) throw new Error(`internal: no schema with $id ${fullId}`);
    const ident = identifier(mode, name);
    exports[ident] = fullId;
    validate.set(`${mode}:${name}`, fn);
    return ident;
  };

  const maps = MODES.map((mode) => {
    const envelope = compile(mode, 'envelope', contract.envelopeSchemaId);
    const events = contract.eventTypes.map((t) => `[${JSON.stringify(t.eventType)}, ${compile(mode, t.eventType, t.eventSchema.id)}]`);
    return `  ${mode}: Object.freeze({ envelope: ${envelope}, events: new Map([${events.join(', ')}]) }),`;
  });

  const hints = patternHints(contract);
  checkExamples(contract, validate, new Map(hints));

  // ajv's standalone code requires its ucs2length helper; inlining it keeps the module free of
  // imports (plain Node cannot `require` inside an ES module) and ajv out of the runtime deps.
  // Lengths are counted in code points, as JSON Schema and Python's len() do.
  const source = guardLengthChecks(
    standaloneCode(ajv, exports).replace('require("ajv/dist/runtime/ucs2length").default', UCS2LENGTH),
  );
  if (/\brequire\(/.test(source)) throw new Error('internal: standalone validators still require() a module');

  const js = [
    generatedHeader('schemas/ (ajv standalone validators, producer and consumer modes)').trimEnd(),
    source,
    '',
    'export const validators = Object.freeze({',
    ...maps,
    '});',
    '',
    '// What each pattern means, from the title and first example of the schema that holds it, so',
    '// an error can say "must be a valid TraceId, e.g. ..." instead of printing the regular expression.',
    `export const patternHints = new Map(${JSON.stringify(hints)});`,
    '',
  ].join('\n');
  const dts = [
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
    '/** The validators of one mode: the generic envelope and one per known event type. */',
    'export interface ModeValidators {',
    '  readonly envelope: CompiledValidator;',
    '  readonly events: ReadonlyMap<string, CompiledValidator>;',
    '}',
    '',
    '/** Title and first example of the schema of each pattern in schemas/, by pattern. */',
    'export declare const patternHints: ReadonlyMap<string, { readonly title: string; readonly example?: string }>;',
    '',
    '/** Validators for both modes, compiled ahead of time from schemas/. */',
    'export declare const validators: { readonly producer: ModeValidators; readonly consumer: ModeValidators };',
    '',
  ].join('\n');
  return { js, dts, validate, hints };
}

/** Every pattern in the schemas with the title and first example of the (sub)schema holding it. */
function patternHints(contract: Contract): [string, PatternHint][] {
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

function fileOfId(contract: Contract, id: string): string {
  return contract.schemas.find((s) => s.schema['$id'] === id)?.file ?? 'schemas/';
}

function checkExamples(contract: Contract, validate: Map<string, ValidateFunction>, hints: ReadonlyMap<string, PatternHint>): void {
  const problems: ContractError[] = [];
  for (const t of contract.eventTypes) {
    const fn = validate.get(`producer:${t.eventType}`);
    t.examples.forEach((example, i) => {
      if (fn && !fn(example.payload)) {
        for (const err of fn.errors ?? []) {
          problems.push(new ContractError({
            file: 'asyncapi.yaml',
            pointer: `/components/messages/${t.eventType}/examples/${i}/payload${err.instancePath}`,
            message: `example "${example.name}" ${issueMessage(err, hints)} (${err.keyword})`,
            fix: 'make every example a whole envelope that validates in producer mode',
          }));
        }
      }
    });
  }
  if (problems.length > 0) throw new ContractErrors(problems);
}
