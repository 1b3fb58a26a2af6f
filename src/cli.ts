// The goodgo-events command (package bin). `validate` works wherever the package is installed;
// `check`, `compat` and `new` run this repository's scripts and need its dev tooling.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EVENT_LIMITS } from '../generated/event-types.js';
import { dlqList, dlqPurge, dlqRedrive, status, tail, UsageError } from './cli-redis.js';
import { readEvents, UnusableInputError } from './read-events.js';
import type { ValidationIssue } from './errors.js';
import { safeParseEnvelope, type ValidationMode, type ValidationResult } from './validate.js';

declare const PACKAGE_VERSION: string | undefined;
/** The package's version: inlined by the bundler (scripts/compile.ts), read from package.json when run from source. */
const version = (): string => (typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : (JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string }).version);

const HELP: Record<string, string> = {
  main: `goodgo-events <command> [options]

Commands:
  validate [file|-]   validate events: a JSON document, a JSON array or NDJSON (one per line)
  dlq list <type>     list the dead letters of an event type                  [Redis: --url or REDIS_URL]
  dlq redrive <type>  send valid dead letters back to the group that gave up on them   [Redis]
  dlq purge <type>    delete dead letters older than --older-than             [Redis]
  status [type ...]   streams, dead letters, and per group lag and pending     [Redis]
  tail <type>         the last events on a stream, as NDJSON                  [Redis]
  check               lint the contract (asyncapi.yaml, schemas/)            [repository only]
  compat              compare with a release, or with a stream's real events [repository only]
  new <event.type>    scaffold a new event type                              [repository only]

Run goodgo-events <command> --help for its options; goodgo-events --version prints the version.`,
  validate: `goodgo-events validate [file|-] [--mode producer|consumer] [--lifecycle contract|enforce-all] [--json] [--max-event-bytes N]

Validates every event in the file (or standard input with - or no file), streaming: memory stays
flat however large the input. Reads NDJSON (one event per line), a JSON array, or one
pretty-printed document. Prints each invalid event, and each event with warnings (a payload its
type does not enforce yet), with its line, instancePath and message (with --json: one JSON object
per such event, {file, line, errors} or {file, line, warnings}), then a summary on standard error
that also counts the events of types the contract does not know.
  --mode             consumer (default, tolerant) or producer (closed)
  --lifecycle        contract (default: x-lifecycle applies) or enforce-all
  --max-event-bytes  a lower bound than the contract's (${EVENT_LIMITS.maxEventBytes}) for one event
Exit status: 0 all valid, 1 some invalid, 2 unusable input (unreadable file, not JSON).`,
  dlq: `goodgo-events dlq list <eventType> [--reason R] [--json] [--url redis://...]

Lists every dead letter of the type, oldest first: its entry id, reason, the group that gave up on
it, deliveries, age, the entry id it had on its stream, and its first error (--json: one JSON
object per dead letter, with all its errors and the original envelope). Read-only.
Redis: --url, else REDIS_URL. Exit 0, or 2 for a usage error or an unreachable Redis.

goodgo-events dlq redrive <eventType> [--reason R] [--id ENTRY_ID ...] [--dry-run] [--json] [--url ...]

Validates each selected dead letter against the current contract; a valid one goes back unchanged
(same eventId) to the group that dead-lettered it, and to no other (the group's retry stream,
which its consumers read), and leaves the dead-letter stream, in one atomic step: killed at any
point, nothing is lost or duplicated; run it again to finish. An invalid one stays, with its errors.
Exit 0 when all selected went back, 1 when some stayed, 2 for a usage error.

goodgo-events dlq purge <eventType> (--older-than <duration> | --keep N) [--dry-run] [--url ...]

Deletes the dead letters older than the duration (30s, 5m, 2h, 7d) and/or all but the newest N,
and reports how many, with the first and last entry ids; --dry-run only reports. From a cron job,
it is the retention policy of the dead-letter streams.`,
  status: `goodgo-events status [eventType ...] [--json] [--max-lag N] [--max-pending-age 5m] [--url redis://...]

Per stream (all event types by default): its length and dead letters, and per consumer group its
lag (entries after the group's last-delivered id, counted: Redis's own figure is wrong after XDEL
or trimming), pending entries, the oldest pending entry's idle time, and its consumers.
Exit 1 when a threshold is crossed (for a cron job or a probe), 0 otherwise, 2 for a usage error.`,
  tail: `goodgo-events tail <eventType> [--last N] [--follow] [--json] [--url redis://...]

The last N (default 10) envelopes on the stream, oldest first, validated: NDJSON with --json or
when the output is not a terminal (goodgo-events validate - reads it back), one line each on a
terminal. An invalid entry is reported on standard error with its id and errors, not printed (exit
1). --follow waits for new ones until interrupted.`,
  check: 'goodgo-events check [--today YYYY-MM-DD]\n\nLints the contract, one line per problem; exit 1 if any. The same as npm run check.',
  compat: `goodgo-events compat [--release <version|latest> | --since <version> | --base <git-ref> | --against <dir>] [--format markdown]
goodgo-events compat --against-stream <eventType> [--url redis://...] [--sample N]

Compares the contract with the latest release (or the one named), says which payload version each
changed type needs; exit 1 on a breaking change not declared. --against-stream judges the last N
(default 100) real entries of the type's stream with the working tree's schemas, in each mode, and
prints how many each would reject and why: run it before merging a schema change. The same as npm
run compat.`,
  new: 'goodgo-events new <aggregate>.<past-tense-verb> [--producer NAME]\n\nScaffolds an event type. The same as npm run new-event.',
};

const color = process.stdout.isTTY === true && !('NO_COLOR' in process.env);
const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[39m` : s);
const yellow = (s: string): string => (color ? `\u001b[33m${s}\u001b[39m` : s);

async function validate(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { mode: { type: 'string', default: 'consumer' }, lifecycle: { type: 'string', default: 'contract' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false }, 'max-event-bytes': { type: 'string' } },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return void console.log(HELP['validate']), 0;
  if (values.mode !== 'producer' && values.mode !== 'consumer') return usage(`--mode must be producer or consumer, got ${values.mode}`);
  if (values.lifecycle !== 'contract' && values.lifecycle !== 'enforce-all') return usage(`--lifecycle must be contract or enforce-all, got ${values.lifecycle}`);
  const maxEventBytes = values['max-event-bytes'] === undefined ? EVENT_LIMITS.maxEventBytes : Number(values['max-event-bytes']);
  if (!Number.isSafeInteger(maxEventBytes) || maxEventBytes < 1 || maxEventBytes > EVENT_LIMITS.maxEventBytes) return usage(`--max-event-bytes must be a whole number from 1 to ${EVENT_LIMITS.maxEventBytes}, got ${values['max-event-bytes']}`);
  if (positionals.length > 1) return usage(`one file at a time, got ${positionals.length}`);
  const file = positionals[0] ?? '-';
  const name = file === '-' ? '<stdin>' : file;
  if (file !== '-' && !existsSync(file)) {
    console.error(`error: ${file}: no such file; fix: pass the path of a JSON or NDJSON file, or - for standard input`);
    return 2;
  }
  const input = file === '-' ? process.stdin : createReadStream(file);
  const options = { mode: values.mode as ValidationMode, lifecycle: values.lifecycle as 'contract' | 'enforce-all' };
  const counts = { total: 0, invalid: 0, warned: 0, unknown: 0 };
  try {
    for await (const { line, text, oversize } of readEvents(input, { maxEventBytes })) {
      counts.total++;
      const result: ValidationResult = oversize === undefined ? safeParseEnvelope(text, options) : { ok: false, errors: [tooLarge(oversize, maxEventBytes)] };
      report(name, line, result, counts, values.json);
    }
  } catch (e) {
    if (e instanceof UnusableInputError) {
      console.error(`error: ${name}:${e.line}: ${e.message}; fix: pass JSON: an event, an array of events, or NDJSON`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string') {
      console.error(`error: ${name}: cannot read it (${err.code}: ${err.message}); fix: check the path and its permissions`);
      return 2;
    }
    throw e;
  }
  const unknown = counts.unknown ? `, ${counts.unknown} of types the contract does not know (accepted unchecked)` : '';
  console.error(`${name}: ${counts.total} event(s), ${counts.invalid} invalid${counts.warned ? `, ${counts.warned} with warnings` : ''}${unknown} (${options.mode} mode)`);
  return counts.invalid > 0 ? 1 : 0;
}

function tooLarge(size: number, max: number): ValidationIssue {
  return { instancePath: '', schemaPath: '#/x-event-limits/maxEventBytes', keyword: 'maxEventBytes', params: { limit: max }, message: `is ${size} bytes, more than ${max} (x-event-limits.maxEventBytes); skipped without reading it whole` };
}

/** Prints one event's verdict: its errors, or its warnings; counts it. */
function report(name: string, line: number, result: ValidationResult, counts: { invalid: number; warned: number; unknown: number }, json: boolean): void {
  if (!result.ok) {
    counts.invalid++;
    if (json) console.log(JSON.stringify({ file: name, line, errors: result.errors }));
    else for (const e of result.errors) console.log(`${name}:${line}: ${red('invalid')} ${e.instancePath || '(root)'} ${e.message}`);
    return;
  }
  if (result.warnings.length > 0) {
    counts.warned++;
    if (json) console.log(JSON.stringify({ file: name, line, warnings: result.warnings }));
    else for (const w of result.warnings) console.log(`${name}:${line}: ${yellow('warning')} ${w.instancePath || '(root)'} ${w.message}`);
  } else if (!result.known) {
    counts.unknown++;
  }
}

/** Runs a Redis command; user mistakes (and an unreachable Redis) are one line and exit 2. */
async function redisCommand(command: (args: string[]) => Promise<number>, args: string[]): Promise<number> {
  try {
    return await command(args);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return usage((e as Error).message);
    throw e;
  }
}

function usage(message: string): number {
  console.error(`error: ${message}; fix: see goodgo-events --help`);
  return 2;
}

/** Runs one of the repository's scripts; they need its dev tooling (tsx, the AsyncAPI parser, ...). */
function repositoryScript(script: string, args: string[]): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const file = path.join(root, 'scripts', `${script}.ts`);
  if (!existsSync(file) || !existsSync(path.join(root, 'node_modules', 'tsx'))) {
    console.error(`error: goodgo-events ${script === 'new-event' ? 'new' : script} works inside the contracts-events repository, with its dev dependencies installed; fix: clone it and run npm ci && npm run setup`);
    return 2;
  }
  const run = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: 'inherit' });
  return run.status ?? 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') return void console.log(version()), 0;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP['main']);
    return command === undefined ? 2 : 0;
  }
  if (rest.includes('--help') && command !== 'validate') {
    const help = HELP[command];
    if (help) return void console.log(help), 0;
  }
  switch (command) {
    case 'validate':
      return validate(rest);
    case 'dlq':
      if (rest[0] === 'list') return redisCommand(dlqList, rest.slice(1));
      if (rest[0] === 'redrive') return redisCommand(dlqRedrive, rest.slice(1));
      if (rest[0] === 'purge') return redisCommand(dlqPurge, rest.slice(1));
      return usage(`dlq ${rest[0] ?? ''}: the subcommands are list, redrive and purge (dlq list <eventType>)`);
    case 'status':
      return redisCommand(status, rest);
    case 'tail':
      return redisCommand(tail, rest);
    case 'check':
      return repositoryScript('check', rest);
    case 'compat':
      return repositoryScript('compat', rest);
    case 'new':
      return repositoryScript('new-event', rest);
    default:
      return usage(`unknown command "${command}"`);
  }
}

// `goodgo-events validate big.ndjson | head -1`: the reader went away; stop quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2)).catch((e: unknown) => {
  console.error('internal error (a bug in goodgo-events, please report it):', e);
  return 70;
});
