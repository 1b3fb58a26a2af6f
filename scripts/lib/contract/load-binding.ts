import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ContractError } from './contract-error.js';
import { jsonPointer } from './json-pointer.js';
import type { JsonObject } from './load-contract.js';
import { isObject } from './json-object.js';

/** The Redis scripts of the consumer protocol, by name (`x-redis-streams.scripts`). */
export const SCRIPT_NAMES = ['begin', 'commit', 'release', 'extend', 'deadLetter', 'claim', 'redrive'] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];
/** The fields a dead-letter entry adds, by role (`x-redis-streams.deadLetterFields`). */
export const DEAD_LETTER_ROLES = ['stream', 'id', 'group', 'reason', 'errors', 'deliveries'] as const;
/** The consumer options whose defaults the contract sets (`x-redis-streams.defaults`). */
export const DEFAULT_NAMES = ['count', 'blockMs', 'idleTimeoutMs', 'maxDeliveries', 'idempotencyWindowMs', 'concurrency'] as const;
/** The bounds every reader applies before parsing (`x-event-limits`). */
export const LIMIT_NAMES = ['maxEventBytes', 'maxDepth', 'maxNumberLength'] as const;

/** The wire protocol of the Redis Streams binding, as the contract declares it. */
export interface RedisBinding {
  readonly entryField: string;
  /** Templates with `<stream>`, `<group>` and `<eventId>` placeholders. */
  readonly deadLetterStream: string;
  readonly legacyDeadLetterStream: string;
  readonly handledKey: string;
  /** A group's retry stream: what `dlq redrive` sends back to that group alone. */
  readonly retryStream: string;
  /** Every dead-letter field starts with it; an original field that does is kept under `shadowPrefix`. */
  readonly deadLetterFieldPrefix: string;
  readonly deadLetterFields: Readonly<Record<(typeof DEAD_LETTER_ROLES)[number], string>>;
  readonly shadowPrefix: string;
  /** Reason -> what it means. */
  readonly reasons: Readonly<Record<string, string>>;
  readonly defaults: Readonly<Record<(typeof DEFAULT_NAMES)[number], number>>;
  readonly scripts: Readonly<Record<ScriptName, { readonly file: string; readonly text: string; readonly sha1: string }>>;
}

export type EventLimits = Readonly<Record<(typeof LIMIT_NAMES)[number], number>>;

const AT = ['servers', 'redis', 'x-redis-streams'];

/**
 * Reads `x-redis-streams` of the `redis` server: every field the runtimes need, checked, with the
 * Lua scripts it names read from disk (their SHA1 is what EVALSHA sends).
 *
 * @returns the binding, or `undefined` with the problems pushed onto `problems`.
 * @example
 * const binding = readBinding(root, raw, problems);
 * binding?.scripts.begin.sha1; // '5f1c...'
 */
export function readBinding(root: string, raw: JsonObject, problems: ContractError[]): RedisBinding | undefined {
  const servers = isObject(raw['servers']) ? raw['servers'] : {};
  const redis = isObject(servers['redis']) ? servers['redis'] : {};
  const b = redis['x-redis-streams'];
  const before = problems.length;
  const problem = (segments: string[], message: string, fix: string): void => {
    problems.push(new ContractError({ file: 'asyncapi.yaml', pointer: jsonPointer([...AT, ...segments]), message, fix }));
  };
  if (!isObject(b)) {
    problem([], 'missing', 'describe the stream binding under servers.redis.x-redis-streams (see the README, "Redis Streams")');
    return undefined;
  }
  const text = (key: string, mustHave: readonly string[] = []): string => {
    const v = b[key];
    if (typeof v !== 'string' || v === '') problem([key], `${key} must be a non-empty string`, `set ${key}`);
    else for (const p of mustHave) if (!v.includes(p)) problem([key], `${key} ${JSON.stringify(v)} lacks ${p}`, `write ${key} as a template with ${mustHave.join(' and ')}`);
    return String(v);
  };
  const record = <K extends string>(key: string, names: readonly K[], kind: 'string' | 'integer'): Record<K, never> => {
    const v = isObject(b[key]) ? b[key] : {};
    for (const n of names) {
      const ok = kind === 'string' ? typeof v[n] === 'string' && v[n] !== '' : Number.isSafeInteger(v[n]) && (v[n] as number) > 0;
      if (!ok) problem([key, n], `${key}.${n} must be ${kind === 'string' ? 'a non-empty string' : 'a positive integer'}`, `set ${key}.${n}`);
    }
    return v as Record<K, never>;
  };
  const binding = {
    entryField: text('entryField'),
    deadLetterStream: text('deadLetterStream', ['<stream>']),
    legacyDeadLetterStream: text('legacyDeadLetterStream', ['<stream>']),
    handledKey: text('handledKey', ['<stream>', '<group>', '<eventId>']),
    retryStream: text('retryStream', ['<stream>', '<group>']),
    deadLetterFieldPrefix: text('deadLetterFieldPrefix'),
    deadLetterFields: record('deadLetterFields', DEAD_LETTER_ROLES, 'string'),
    shadowPrefix: text('shadowPrefix'),
    reasons: isObject(b['reasons']) ? (b['reasons'] as Record<string, string>) : {},
    defaults: record('defaults', DEFAULT_NAMES, 'integer'),
    scripts: readScripts(root, isObject(b['scripts']) ? b['scripts'] : {}, problem),
  };
  for (const [role, name] of Object.entries(binding.deadLetterFields as Record<string, unknown>)) {
    if (typeof name === 'string' && !name.startsWith(binding.deadLetterFieldPrefix)) problem(['deadLetterFields', role], `${name} does not start with deadLetterFieldPrefix ${binding.deadLetterFieldPrefix}`, 'name every dead-letter field with the prefix');
  }
  if (Object.keys(binding.reasons).length === 0) problem(['reasons'], 'reasons must name every dead-letter reason', 'list each reason with what it means');
  return problems.length === before ? (binding as RedisBinding) : undefined;
}

function readScripts(root: string, scripts: JsonObject, problem: (segments: string[], message: string, fix: string) => void): RedisBinding['scripts'] {
  const out: Partial<Record<ScriptName, { file: string; text: string; sha1: string }>> = {};
  for (const name of SCRIPT_NAMES) {
    const file = scripts[name];
    if (typeof file !== 'string') {
      problem(['scripts', name], `no script ${name}`, `set scripts.${name} to the path of its .lua file`);
      continue;
    }
    try {
      const text = readFileSync(path.join(root, file), 'utf8');
      out[name] = { file: path.posix.normalize(file), text, sha1: createHash('sha1').update(text).digest('hex') };
    } catch (e) {
      problem(['scripts', name], `cannot read ${file}: ${(e as Error).message}`, 'point it at a .lua file, relative to asyncapi.yaml');
    }
  }
  return out as RedisBinding['scripts'];
}

/**
 * Reads `x-event-limits`.
 *
 * @example
 * readLimits(raw, problems); // { maxEventBytes: 1048576, maxDepth: 64, maxNumberLength: 100 }
 */
export function readLimits(raw: JsonObject, problems: ContractError[]): EventLimits {
  const v = isObject(raw['x-event-limits']) ? raw['x-event-limits'] : {};
  for (const n of LIMIT_NAMES) {
    if (!Number.isSafeInteger(v[n]) || (v[n] as number) <= 0) {
      problems.push(new ContractError({ file: 'asyncapi.yaml', pointer: jsonPointer(['x-event-limits', n]), message: `x-event-limits.${n} must be a positive integer`, fix: `set x-event-limits.${n}` }));
    }
  }
  return v as EventLimits;
}

/**
 * Fills a key template: `fillKey('{<stream>}:dead-letter', { stream: 'events:a.b' })`.
 *
 * @example
 * fillKey('{<stream>}:dead-letter', { stream: 'events:payment.completed' }); // '{events:payment.completed}:dead-letter'
 */
export function fillKey(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/<([a-zA-Z]+)>/g, (m, name: string) => values[name] ?? m);
}
