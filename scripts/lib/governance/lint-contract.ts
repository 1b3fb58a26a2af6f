import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { check as recheck } from 'recheck';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { eventTypeNameProblem } from '../contract/event-type-name.js';
import { jsonPointer } from '../contract/json-pointer.js';
import { readContract, type ContractData, type JsonObject } from '../contract/load-contract.js';
import { compareVersions, isPackageVersion, releaseContractDir } from '../contract/releases.js';
import { declaredChanges } from './declared-changes.js';
import { compareContracts } from './compare-contracts.js';
import { payloadVersionProblems } from './payload-versions.js';
import { compileValidators } from '../render/render-validators.js';
import { renderEventTypes } from '../render/render-event-types.js';
import { renderRedisProtocol } from '../render/render-redis-protocol.js';
import { runInWorker } from '../run-in-worker.js';
import { isObject } from '../contract/json-object.js';

const DAY = 86_400_000;
/** How long a type must be dual-published before consumers may hard-fail on it. */
export const MIN_DUAL_PUBLISH_DAYS = 14;

/** Constructs that behave differently in ECMA-262 (`u` flag) and Python `re`, with why. */
const UNPORTABLE: readonly [RegExp, string][] = [
  [/\\[dDwWsSbB]/, '\\d, \\w, \\s and \\b match non-ASCII characters in Python, not in JavaScript: use [0-9], [A-Za-z0-9_], [ ] instead'],
  [/\\[pP]\{/, '\\p{...} is JavaScript-only: use an ASCII class'],
  [/\(\?[aiLmsux]+[):]/, 'inline flags such as (?i) are Python-only'],
  [/\(\?P?<[A-Za-z]/, 'named groups are spelled differently in the two engines: use (?:...)'],
  [/\(\?<[=!]/, 'lookbehind must be fixed-width in Python: avoid it'],
  [/\\[AZz]/, '\\A, \\Z and \\z are Python-only anchors'],
];

/**
 * Lints a contract that loads (see `loadContract`, which checks the structure): names, titles and
 * descriptions, portable and backtracking-free patterns, valid examples, lifecycle rules,
 * placeholders left by `new-event`, and generated code that is up to date. Every problem names its
 * file and JSON pointer, what is wrong and how to fix it.
 *
 * @example
 * const problems = await lintContract(contract, { today: new Date() });
 */
export async function lintContract(contract: ContractData, options: { today: Date }): Promise<ContractError[]> {
  const problems: ContractError[] = [];
  const add: Add = (file, pointer, message, fix) => {
    problems.push(new ContractError({ file, pointer, message, fix }));
  };
  lintNames(contract, add);
  lintLifecycle(contract, options.today, add);
  await lintSchemas(contract, add);
  lintPlaceholders(contract, add);
  await lintVersions(contract, problems, add);
  const validators = lintExamples(contract, problems);
  await lintGenerated(contract, validators, problems, add);
  return problems;
}

/**
 * {@link lintContract} on a worker thread: `npm run check` runs the parser's rules
 * (lintDocument) on the main thread meanwhile, each on its core.
 *
 * @example
 * const problems = await lintContractInWorker(readContract(root), { today: new Date() });
 */
export async function lintContractInWorker(contract: Promise<ContractData>, options: { today: Date }): Promise<ContractError[]> {
  const data = contract.then((c) => ({ contract: c, today: options.today.toISOString() }));
  const problems = await runInWorker<ReturnType<ContractError['toProblem']>[]>(new URL('./lint-contract-worker.ts', import.meta.url), data);
  return problems.map((p) => new ContractError(p));
}

/** Records one problem: file, JSON pointer, what is wrong, how to fix it. */
type Add = (file: string, pointer: string, message: string, fix: string) => void;

function lintNames(contract: ContractData, add: Add): void {
  // Names: <aggregate>.<past-tense-verb>, and never a reserved one.
  const reserved = new Map(contract.reserved.map((r) => [r.name, r]));
  for (const t of contract.eventTypes) {
    const problem = eventTypeNameProblem(t.eventType);
    if (problem) add('asyncapi.yaml', jsonPointer(['channels', t.eventType]), problem, 'rename the event type (a new type, dual-published beside the old one)');
    const r = reserved.get(t.eventType);
    if (r) add('asyncapi.yaml', jsonPointer(['channels', t.eventType]), `"${t.eventType}" is reserved${r.retired ? ` (retired ${r.retired})` : ''}: a retired name is never reused`, 'choose a new name, e.g. with a _v2 suffix');
  }
  for (const [i, r] of contract.reserved.entries()) {
    const problem = eventTypeNameProblem(r.name);
    if (problem && !/past-tense/.test(problem)) add('asyncapi.yaml', jsonPointer(['x-reserved-event-types', i, 'name']), problem, 'reserve the exact name that was retired');
  }
}

function lintLifecycle(contract: ContractData, today: Date, add: Add): void {
  // Lifecycle.
  const known = new Set(contract.eventTypes.map((t) => t.eventType));
  for (const t of contract.eventTypes) {
    const at = (key: string): string => jsonPointer(['components', 'messages', t.eventType, 'x-lifecycle', key]);
    const { state } = t.lifecycle;
    const date = (key: 'dualPublishSince' | 'enforcedSince' | 'deprecatedSince'): Date | undefined => {
      const value = t.lifecycle[key];
      if (value === undefined) return undefined;
      const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(Number.NaN);
      if (Number.isNaN(parsed.getTime())) add('asyncapi.yaml', at(key), `"${value}" is not a date`, 'write it as YYYY-MM-DD');
      return Number.isNaN(parsed.getTime()) ? undefined : parsed;
    };
    const dual = date('dualPublishSince');
    if ((state === 'dual-publish' || state === 'enforced') && t.lifecycle.dualPublishSince === undefined) {
      add('asyncapi.yaml', at('dualPublishSince'), `a ${state} type needs the date its dual-publishing began`, "add dualPublishSince: 'YYYY-MM-DD'");
    }
    if (dual && dual.getTime() > today.getTime()) add('asyncapi.yaml', at('dualPublishSince'), `dualPublishSince ${t.lifecycle.dualPublishSince} is in the future`, 'use the day dual-publishing actually began');
    if (state === 'enforced' && dual) {
      const days = Math.floor((today.getTime() - dual.getTime()) / DAY);
      if (days < MIN_DUAL_PUBLISH_DAYS) {
        add('asyncapi.yaml', at('state'), `enforced after ${days} day(s) of dual-publishing; consumers may hard-fail only after ${MIN_DUAL_PUBLISH_DAYS}`, `keep state: dual-publish until ${new Date(dual.getTime() + MIN_DUAL_PUBLISH_DAYS * DAY).toISOString().slice(0, 10)}`);
      }
      const enforced = date('enforcedSince');
      if (!enforced) add('asyncapi.yaml', at('enforcedSince'), 'an enforced type needs the date it was enforced', "add enforcedSince: 'YYYY-MM-DD'");
      else if (enforced.getTime() - dual.getTime() < MIN_DUAL_PUBLISH_DAYS * DAY) add('asyncapi.yaml', at('enforcedSince'), `enforcedSince is less than ${MIN_DUAL_PUBLISH_DAYS} days after dualPublishSince`, 'enforce it no earlier than 14 days after dual-publishing began');
    }
    if (state === 'deprecated') {
      date('deprecatedSince');
      if (!t.lifecycle.replacement) add('asyncapi.yaml', at('replacement'), 'a deprecated type needs its replacement', 'add replacement: <the event type that replaces it>');
      else if (!known.has(t.lifecycle.replacement)) add('asyncapi.yaml', at('replacement'), `replacement "${t.lifecycle.replacement}" is not an event type of the contract`, 'name an existing event type');
    }
  }
}

async function lintSchemas(contract: ContractData, add: Add): Promise<void> {
  // Schemas: titles, descriptions, placeholders, portable and safe patterns.
  const patterns: { file: string; pointer: string; pattern: string }[] = [];
  for (const { file, schema } of contract.schemas) {
    const visit = (node: unknown, segments: (string | number)[]): void => {
      if (Array.isArray(node)) return node.forEach((v, i) => visit(v, [...segments, i]));
      if (!isObject(node)) return;
      const pointer = jsonPointer(segments);
      const last = segments[segments.length - 2];
      if ((node['type'] === 'object' || Array.isArray(node['enum'])) && typeof node['title'] !== 'string') {
        add(file, pointer, 'an object or enum without a title', 'add a title: it names the generated model (otherwise AnonymousSchema_N)');
      }
      if ((last === 'properties' || last === 'definitions') && typeof node['description'] !== 'string' && !('$ref' in node)) {
        add(file, pointer, 'a property without a description', 'describe it: the description is the documentation, in the models and the docs');
      }
      if (typeof node['description'] === 'string' && /\bTODO\b/.test(node['description'])) {
        add(file, `${pointer}/description`, `placeholder description: "${node['description']}"`, 'write the real description');
      }
      if ('$ref' in node && Object.keys(node).length > 1) {
        add(file, pointer, `keywords beside a $ref (${Object.keys(node).filter((k) => k !== '$ref').join(', ')}) are ignored by draft-07`, 'wrap it: { description, allOf: [{ $ref }] }');
      }
      if (node['type'] === 'object' && isObject(node['properties']) && Object.keys(node['properties']).length === 0 && /^schemas\/[^/]+\.[^/]+\.schema\.json$/.test(file)) {
        add(file, `${pointer}/properties`, 'the payload has no fields', 'add its fields, each with a type, a description and its constraints');
      }
      if (typeof node['pattern'] === 'string') patterns.push({ file, pointer: `${pointer}/pattern`, pattern: node['pattern'] });
      for (const [k, v] of Object.entries(node)) if (k !== 'examples' && k !== 'enum' && k !== 'const') visit(v, [...segments, k]);
    };
    visit(schema, []);
  }
  // A pattern defined inline in many payloads is analysed once (recheck takes ~25 ms a pattern).
  const analysed = new Map<string, ReturnType<typeof recheck>>();
  for (const { file, pointer, pattern } of patterns) {
    for (const [construct, why] of UNPORTABLE) if (construct.test(pattern)) add(file, pointer, `pattern ${pattern}: ${why.split(':')[0]}`, why.includes(':') ? why.slice(why.indexOf(':') + 2) : 'rewrite it with ASCII classes');
    if (!pattern.startsWith('^') || !pattern.endsWith('$(?!\\n)')) {
      add(file, pointer, `pattern ${pattern} is not anchored as ^...$(?!\\n)`, "start with ^ and end with $(?!\\n): Python's re.search lets a bare $ match before a final newline");
    }
    try {
      new RegExp(pattern, 'u');
    } catch (e) {
      add(file, pointer, `pattern does not compile in JavaScript: ${(e as Error).message}`, 'fix its syntax');
      continue;
    }
    // A real analyser (recheck), not a heuristic: it finds an attack string or proves there is none.
    if (!analysed.has(pattern)) analysed.set(pattern, recheck(pattern, 'u'));
    const diagnostics = await analysed.get(pattern)!;
    if (diagnostics.status === 'vulnerable') {
      add(file, pointer, `pattern ${pattern} backtracks catastrophically (${diagnostics.complexity.type}; attack "${diagnostics.attack.pattern}")`, 'remove the ambiguity: no nested or adjacent quantifiers that can match the same text');
    } else if (diagnostics.status === 'unknown') {
      add(file, pointer, `recheck could not decide whether pattern ${pattern} is safe (${diagnostics.error.kind})`, 'simplify the pattern');
    }
  }
}

async function lintVersions(contract: ContractData, problems: ContractError[], add: Add): Promise<void> {
  // The package versions in step with the contract's, never behind the latest release.
  const version = isObject(contract.raw['info']) ? String(contract.raw['info']['version']) : '';
  const latest = contract.releases.at(-1);
  if (!isPackageVersion(version)) add('asyncapi.yaml', '/info/version', `info.version ${JSON.stringify(version)} is not MAJOR.MINOR.PATCH`, 'set it to the package version, e.g. 0.2.0');
  else if (latest && compareVersions(version, latest.version) < 0) add('asyncapi.yaml', '/info/version', `info.version ${version} is behind the latest release, ${latest.version}`, `set it to ${latest.version} or later (npm run release sets every version)`);
  const packageJson = await readFile(path.join(contract.root, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { version?: unknown }, () => undefined);
  if (packageJson !== undefined && packageJson.version !== version) add('package.json', '/version', `version ${JSON.stringify(packageJson.version)} differs from the contract's info.version ${version}`, 'keep them in step: npm run release -- <version> sets both');
  const pyproject = await readFile(path.join(contract.root, 'python', 'pyproject.toml'), 'utf8').catch(() => undefined);
  const pyVersion = pyproject === undefined ? undefined : /^version = "([^"]*)"$/m.exec(pyproject)?.[1];
  if (pyproject !== undefined && pyVersion !== version) add('python/pyproject.toml', '/project/version', `version ${JSON.stringify(pyVersion)} differs from the contract's info.version ${version}`, 'keep them in step: npm run release -- <version> sets both');
  // Declarations name what they let through.
  for (const [i, d] of declaredChanges(contract).entries()) {
    if (d.pointer.startsWith('/payload') && d.eventType === undefined) add('asyncapi.yaml', jsonPointer(['x-declared-breaking-changes', i]), `the declared change of ${d.pointer} names no event type`, 'add eventType: <the type whose payload changes>');
    if (!d.reason.trim() || d.reason === 'undefined') add('asyncapi.yaml', jsonPointer(['x-declared-breaking-changes', i]), 'a declared breaking change without its reason', 'add reason: why it breaks, and how producers and consumers roll it out');
  }
  // Payload versions, against the latest release.
  let base: Parameters<typeof payloadVersionProblems>[1];
  if (latest) {
    const release = await readContract(releaseContractDir(contract.root, latest.version), { strict: false });
    base = { label: `release ${latest.version}`, contract: release, rows: compareContracts(release, contract) };
  }
  problems.push(...payloadVersionProblems(contract, base));
}

function lintPlaceholders(contract: ContractData, add: Add): void {
  // Placeholders anywhere in the document (new-event leaves them for a human).
  const scan = (node: unknown, segments: (string | number)[]): void => {
    if (typeof node === 'string' && /\bTODO\b/.test(node)) add('asyncapi.yaml', jsonPointer(segments), `placeholder: "${node}"`, 'write the real text');
    else if (Array.isArray(node)) node.forEach((v, i) => scan(v, [...segments, i]));
    else if (isObject(node)) for (const [k, v] of Object.entries(node)) scan(v, [...segments, k]);
  };
  scan(contract.raw, []);
}

/** The generated validator files, compiled; empty when the schemas do not compile (problems say why). */
function lintExamples(contract: ContractData, problems: ContractError[]): ReadonlyMap<string, string> {
  // Examples validate in producer mode (compileValidators checks them, naming each failure).
  try {
    return compileValidators(contract).files;
  } catch (e) {
    if (!(e instanceof ContractErrors)) throw e;
    problems.push(...e.problems);
    return new Map();
  }
}

async function lintGenerated(contract: ContractData, validators: ReadonlyMap<string, string>, problems: ContractError[], add: Add): Promise<void> {
  const known = new Set(contract.eventTypes.map((t) => t.eventType));
  // Generated code up to date: a literal and a model per event type.
  const generated = async (file: string): Promise<string> => readFile(path.join(contract.root, file), 'utf8').catch(() => '');
  const [eventTypes, models] = await Promise.all([generated('generated/event-types.ts'), generated('generated/models.ts')]);
  const literals = /EVENT_TYPES = \[([^\]]*)\]/.exec(eventTypes)?.[1]?.match(/'([^']+)'/g)?.map((q) => q.slice(1, -1)) ?? [];
  const interfaces = new Set([...models.matchAll(/^export interface (\w+)/gm)].map((m) => m[1]));
  for (const t of contract.eventTypes) {
    if (!literals.includes(t.eventType)) add('generated/event-types.ts', '', `no literal for "${t.eventType}"`, 'run npm run generate');
    for (const title of [t.eventSchema.title, t.payloadSchema.title]) {
      if (!interfaces.has(title)) add('generated/models.ts', '', `no model ${title} for "${t.eventType}"`, 'run npm run generate');
    }
  }
  for (const literal of literals) if (!known.has(literal)) add('generated/event-types.ts', '', `literal "${literal}" has no event type in the contract`, 'run npm run generate');
  // Every generated file that is cheap to render here (the validators were compiled above) must be
  // byte for byte what generate writes: an edited schema not regenerated shows here. The slow ones
  // (Modelina, the Python tools) are compared by `npm run generate:check`, which CI runs.
  const cheap = new Map([...validators, ['generated/event-types.ts', renderEventTypes(contract)], ['generated/redis-protocol.ts', renderRedisProtocol(contract)]]);
  const stale: string[] = [];
  for (const [file, content] of cheap) {
    if (problems.some((p) => p.file === file)) continue;
    if ((await generated(file)) !== content) stale.push(file);
  }
  // One line per file while they are few; one line for all when a whole contract was not generated.
  if (stale.length <= 5) for (const file of stale) add(file, '', 'stale: generated from another contract (or missing)', 'run npm run generate and commit the result');
  else add('generated/', '', `${stale.length} files are stale or missing (${stale.slice(0, 3).join(', ')}, ...)`, 'run npm run generate and commit the result');
}

