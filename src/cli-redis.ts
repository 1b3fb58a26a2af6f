// The goodgo-events commands that read a Redis (dlq list, status, tail): Redis from --url or
// REDIS_URL, through node-redis (the package's optional peer dependency), read-only.
import { parseArgs } from 'node:util';
import { EVENT_STREAM_KEYS, EVENT_TYPES } from '../generated/event-types.js';
import { isEventType, type EventType } from './event-types.js';
import type { RedisClientLike } from './redis/connection.js';
import { purgeDeadLetters, readDeadLetters } from './redis/dead-letters.js';
import { redriveDeadLetters } from './redis/redrive.js';
import { streamStatus } from './redis/stream-status.js';
import { fromStreamFields } from './redis/stream-codec.js';

/** A user mistake: printed as `error: ...; fix: ...`, exit 2, never a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration such as `500ms`, `30s`, `5m`, `2h`, `7d`, in milliseconds.
 *
 * @throws {UsageError} for anything else.
 * @example
 * parseDuration('5m'); // 300000
 */
export function parseDuration(text: string, option: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new UsageError(`${option} must be a duration such as 30s, 5m, 2h or 7d, got ${JSON.stringify(text)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

const age = (ms: number): string => (ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${Math.round(ms / 1000)}s` : ms < 3_600_000 ? `${Math.round(ms / 60_000)}m` : ms < 86_400_000 ? `${(ms / 3_600_000).toFixed(1)}h` : `${(ms / 86_400_000).toFixed(1)}d`);

function eventTypeOf(value: string | undefined, command: string): EventType {
  if (value === undefined) throw new UsageError(`${command} needs an event type (known: ${EVENT_TYPES.join(', ')})`);
  if (!isEventType(value)) throw new UsageError(`"${value}" is not an event type of the contract (known: ${EVENT_TYPES.join(', ')})`);
  return value;
}

/** Connects to --url or REDIS_URL; the caller closes it. */
async function connect(url: string | undefined): Promise<RedisClientLike & { close(): Promise<unknown> }> {
  const target = url ?? process.env['REDIS_URL'];
  if (!target) throw new UsageError('no Redis to read: pass --url redis://host:6379 or set REDIS_URL');
  let redis: typeof import('redis');
  try {
    redis = await import('redis');
  } catch {
    throw new UsageError('this command needs the redis package (node-redis 5 or 6): npm install redis');
  }
  const client = redis.createClient({ url: target, socket: { reconnectStrategy: false, connectTimeout: 5000 } });
  client.on('error', () => undefined); // the connect() below reports it
  try {
    await client.connect();
  } catch (e) {
    throw new UsageError(`cannot reach Redis at ${target} (${(e as Error).message || (e as Error).name}); is it running?`);
  }
  return client as unknown as RedisClientLike & { close(): Promise<unknown> };
}

/**
 * `goodgo-events dlq list <eventType> [--reason R] [--json] [--url U]`: every dead letter of the type.
 *
 * @example
 * await dlqList(['payment.completed', '--json']); // one JSON object per dead letter on stdout
 */
export async function dlqList(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { reason: { type: 'string' }, json: { type: 'boolean', default: false }, url: { type: 'string' } } });
  const eventType = eventTypeOf(positionals[0], 'dlq list');
  const client = await connect(values.url);
  let n = 0;
  try {
    for await (const d of readDeadLetters(client, eventType, values.reason === undefined ? {} : { reason: values.reason })) {
      n++;
      const { fields: _bytes, ...shown } = d;
      if (values.json) console.log(JSON.stringify(shown));
      else console.log(`${d.entryId}  ${d.reason.padEnd(15)}  group=${d.group || '-'}  deliveries=${d.deliveries}  age=${age(d.ageMs)}  was ${d.originalId}  ${d.errors[0] ? `${d.errors[0].instancePath || '(root)'} ${d.errors[0].message}` : ''}`);
    }
  } finally {
    await client.close();
  }
  console.error(`${EVENT_STREAM_KEYS[eventType]}: ${n} dead letter(s)${values.reason ? ` with reason ${values.reason}` : ''}`);
  return 0;
}

/**
 * `goodgo-events status [eventType ...] [--json] [--max-lag N] [--max-pending-age D] [--url U]`:
 * exit 1 when a group's lag or its oldest pending entry's idle time crosses a threshold.
 *
 * @example
 * await status(['--max-lag', '1000']); // 0, or 1 when a group lags more than 1000 entries
 */
export async function status(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, 'max-lag': { type: 'string' }, 'max-pending-age': { type: 'string' }, url: { type: 'string' } } });
  const types = positionals.length ? positionals.map((t) => eventTypeOf(t, 'status')) : [...EVENT_TYPES];
  const maxLag = values['max-lag'] === undefined ? undefined : Number(values['max-lag']);
  if (maxLag !== undefined && (!Number.isSafeInteger(maxLag) || maxLag < 0)) throw new UsageError(`--max-lag must be a whole number, got ${values['max-lag']}`);
  const maxAge = values['max-pending-age'] === undefined ? undefined : parseDuration(values['max-pending-age'], '--max-pending-age');
  const client = await connect(values.url);
  let rows;
  try {
    rows = await streamStatus(client, types, { lagBound: Math.max(100_000, (maxLag ?? 0) + 1) });
  } finally {
    await client.close();
  }
  const alerts: string[] = [];
  for (const s of rows) {
    if (values.json) console.log(JSON.stringify(s));
    else console.log(`${s.stream}  length=${s.length}  dead-letters=${s.deadLetters}  groups=${s.groups.length}`);
    for (const g of s.groups) {
      if (!values.json) console.log(`  ${g.name}  lag=${g.lagExact ? '' : '>='}${g.lag}  pending=${g.pending}  oldest-pending-idle=${g.oldestPendingIdleMs === undefined ? '-' : age(g.oldestPendingIdleMs)}  consumers=${g.consumers.join(',') || '-'}`);
      if (maxLag !== undefined && g.lag > maxLag) alerts.push(`${s.stream} group ${g.name}: lag ${g.lagExact ? '' : '>='}${g.lag} > ${maxLag}`);
      if (maxAge !== undefined && (g.oldestPendingIdleMs ?? 0) > maxAge) alerts.push(`${s.stream} group ${g.name}: oldest pending entry idle ${age(g.oldestPendingIdleMs!)} > ${age(maxAge)}`);
    }
  }
  for (const a of alerts) console.error(`alert: ${a}`);
  return alerts.length > 0 ? 1 : 0;
}

/**
 * `goodgo-events tail <eventType> [--last N] [--follow] [--json] [--url U]`: the envelopes on a
 * stream, validated, as NDJSON (`--json`, or when the output is not a terminal) that `validate -`
 * reads back, or one line each on a terminal; an invalid entry is reported on stderr instead (exit
 * 1). `--follow` waits for new ones until interrupted.
 *
 * @example
 * await tail(['payment.completed', '--last', '5', '--json']);
 */
export async function tail(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { last: { type: 'string', default: '10' }, follow: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, url: { type: 'string' } } });
  const eventType = eventTypeOf(positionals[0], 'tail');
  const last = Number(values.last);
  if (!Number.isSafeInteger(last) || last < 0) throw new UsageError(`--last must be a whole number, got ${values.last}`);
  const json = values.json || process.stdout.isTTY !== true;
  const key = EVENT_STREAM_KEYS[eventType];
  const client = await connect(values.url);
  const send = (cmd: (string | number)[]): Promise<unknown> => (client as unknown as { sendCommand(a: string[], o?: unknown): Promise<unknown> }).sendCommand(cmd.map(String), { typeMapping: { 36: Buffer } });
  let invalid = 0;
  const print = (id: string, fields: Buffer[]): void => {
    const r = fromStreamFields(fields);
    if (!r.ok) {
      // Not on stdout: what tail prints there is valid NDJSON; consumers dead-letter these entries.
      invalid++;
      return void console.error(`${id}: invalid entry: ${r.errors.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')}`);
    }
    if (json) console.log(JSON.stringify(r.event));
    else console.log(`${id}  ${r.event.eventType}  ${r.event.eventId}  ${r.event.occurredAt}  ${r.event.producer}  ${JSON.stringify(r.event.payload)}`);
  };
  let stop = false;
  const onSignal = (): void => void (stop = true);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const rows = ((await send(['XREVRANGE', key, '+', '-', 'COUNT', last])) as [Buffer, Buffer[]][]).reverse();
    for (const [id, fields] of rows) print(id.toString(), fields);
    let from = rows.length ? rows[rows.length - 1]![0].toString() : '$';
    while (values.follow && !stop) {
      const reply = (await send(['XREAD', 'COUNT', 100, 'BLOCK', 500, 'STREAMS', key, from])) as unknown;
      const entries = (reply instanceof Map ? [...reply.values()][0] : Array.isArray(reply) ? (reply[0] as [unknown, unknown])[1] : reply && typeof reply === 'object' ? Object.values(reply)[0] : []) as [Buffer, Buffer[]][] | undefined;
      for (const [id, fields] of entries ?? []) {
        print(id.toString(), fields);
        from = id.toString();
      }
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await client.close();
  }
  return invalid > 0 ? 1 : 0;
}

/**
 * `goodgo-events dlq redrive <eventType> [--reason R] [--id ID ...] [--dry-run] [--json] [--url U]`:
 * exit 0 when every selected dead letter went back, 1 when some stayed (invalid, or no group).
 *
 * @example
 * await dlqRedrive(['payment.completed', '--reason', 'max-deliveries']);
 */
export async function dlqRedrive(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { reason: { type: 'string' }, id: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, url: { type: 'string' } } });
  const eventType = eventTypeOf(positionals[0], 'dlq redrive');
  const client = await connect(values.url);
  const counts = { redriven: 0, kept: 0 };
  const verb = values['dry-run'] ? 'would redrive' : 'redriven';
  try {
    for await (const o of redriveDeadLetters(client, eventType, { reason: values.reason, ids: values.id, dryRun: values['dry-run'] })) {
      counts[o.outcome]++;
      if (values.json) console.log(JSON.stringify(o));
      else if (o.outcome === 'redriven') console.log(`${o.entryId}  ${verb} to group ${o.group}${o.newId ? ` as ${o.newId}` : ''}`);
      else console.log(`${o.entryId}  kept: ${o.errors.map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ')}`);
    }
  } finally {
    await client.close();
  }
  console.error(`${EVENT_STREAM_KEYS[eventType]}: ${counts.redriven} ${verb}, ${counts.kept} kept${values['dry-run'] ? ' (dry run: nothing changed)' : ''}`);
  return counts.kept > 0 ? 1 : 0;
}

/**
 * `goodgo-events dlq purge <eventType> (--older-than <duration> | --keep N) [--dry-run] [--url U]`:
 * deletes the dead letters older than the duration and/or all but the newest N, and reports the
 * count and the id range. Run from a cron job, it is the dead-letter streams' retention policy.
 *
 * @example
 * await dlqPurge(['payment.completed', '--older-than', '7d']);
 */
export async function dlqPurge(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'older-than': { type: 'string' }, keep: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, url: { type: 'string' } } });
  const eventType = eventTypeOf(positionals[0], 'dlq purge');
  if (values['older-than'] === undefined && values.keep === undefined) throw new UsageError('dlq purge needs --older-than (e.g. 7d) or --keep (e.g. 100000): nothing is deleted without one');
  const olderThanMs = values['older-than'] === undefined ? undefined : parseDuration(values['older-than'], '--older-than');
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isSafeInteger(keep) || keep < 0)) throw new UsageError(`--keep must be a whole number, got ${values.keep}`);
  const client = await connect(values.url);
  try {
    const p = await purgeDeadLetters(client, eventType, { olderThanMs, keep, dryRun: values['dry-run'] });
    const which = [values['older-than'] ? `older than ${values['older-than']}` : '', keep !== undefined ? `beyond the newest ${keep}` : ''].filter(Boolean).join(' or ');
    const range = p.count ? `, ids ${p.first} to ${p.last}` : '';
    console.log(`${EVENT_STREAM_KEYS[eventType]}: ${values['dry-run'] ? 'would delete' : 'deleted'} ${p.count} dead letter(s) ${which}${range}`);
  } finally {
    await client.close();
  }
  return 0;
}
