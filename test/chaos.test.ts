// The chaos suite (issue 9): every consumer scenario that broke a hand-written consumer, run on
// every consumer (TypeScript, Python blocking, Python asyncio), each in its own process against a
// real redis-server. Each scenario counts events published, handled (side effects), dead-lettered
// and pending, prints the figures, and holds them to the protocol's promise: nothing lost, nothing
// handled twice except what a SIGKILL can catch. The event type comes from the contract.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnvelope, EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS, EVENT_TYPES, publishEvents, type EventPayloadMap, type EventType, type KnownEvent } from '../src/index.ts';
import { venvPython } from '../scripts/lib/render/render-python.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';
import { RedisServer } from './support/redis-server.ts';

const TYPE: EventType = EVENT_TYPES[0];
const STREAM = EVENT_STREAM_KEYS[TYPE];
const DEAD = EVENT_DEAD_LETTER_KEYS[TYPE];
const payload = contractExamples().find((e) => e.eventType === TYPE)!.payload['payload'] as EventPayloadMap[EventType];
const event = (traceId?: string): KnownEvent => createEnvelope(TYPE, payload as never, { producer: 'chaos', ...(traceId ? { traceId } : {}) });
const FAILING_TRACE = 'dead'.padEnd(32, '0');

const KINDS = { ts: 'TypeScript', py: 'Python blocking', 'py-asyncio': 'Python asyncio' } as const;
type Kind = keyof typeof KINDS;
const children: ChildProcess[] = [];
const servers: RedisServer[] = [];
const figures: string[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.stop()));
  console.log(`chaos figures (published / handled / duplicates / dead-lettered / pending):\n${figures.join('\n')}`);
  // RECORD_FIGURES=1 npx vitest run test/chaos.test.ts records them in the README, as npm run bench -- --write does.
  if (process.env['RECORD_FIGURES'] && figures.length === Object.keys(KINDS).length * 7) {
    const readme = path.join(ROOT, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const [start, end] = ['<!-- chaos:start -->', '<!-- chaos:end -->'];
    const table = ['| consumer | scenario | published / handled / duplicates / dead-lettered / pending |', '| --- | --- | --- |', ...figures.map((f) => `| ${f.trim().replace(/^(TypeScript|Python blocking|Python asyncio)\s+(.+?)\s{2,}(\d.*)$/, '$1 | $2 | $3')} |`)];
    writeFileSync(readme, `${text.slice(0, text.indexOf(start) + start.length)}\n${table.join('\n')}\n${text.slice(text.indexOf(end))}`);
  }
});

interface Running {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then the consumer's stats. */
  stop(): Promise<Record<string, unknown>>;
}

async function consumer(kind: Kind, s: RedisServer, flags: Record<string, string | number>): Promise<Running> {
  const args = Object.entries({ url: s.url, types: TYPE, group: 'g', ...flags }).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = kind === 'ts'
    ? spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/chaos-consumer.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(venvPython(), [path.join(ROOT, 'test/support/chaos_consumer.py'), ...args, ...(kind === 'py-asyncio' ? ['--asyncio'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await until(() => out.includes('READY') || child.exitCode !== null, 30_000);
  if (child.exitCode !== null) throw new Error(`${kind} consumer exited: ${err}`);
  return {
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      const line = out.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) throw new Error(`${kind} consumer printed no stats: ${out} ${err}`);
      return JSON.parse(line) as Record<string, unknown>;
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setup(): Promise<{ s: RedisServer; client: RedisClientType }> {
  const s = await RedisServer.start();
  servers.push(s);
  const client = createClient({ url: s.url }) as RedisClientType;
  client.on('error', () => undefined);
  await client.connect();
  return { s, client };
}

const pending = (s: RedisServer): number => Number(s.cli('XPENDING', STREAM, 'g').split('\n')[0] || 0);
const effects = async (client: RedisClientType): Promise<string[]> => (await client.sendCommand(['LRANGE', 'effects:g', '0', '-1'])) as string[];
const deadLetters = async (client: RedisClientType, key = DEAD): Promise<Record<string, Buffer>[]> => {
  const rows = (await client.sendCommand(['XRANGE', key, '-', '+'], { typeMapping: { 36: Buffer } })) as [Buffer, Buffer[]][];
  return rows.map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 ? [] : [[f[i]!.toString(), f[i + 1]!]]))));
};
const record = async (kind: Kind, scenario: string, client: RedisClientType, s: RedisServer, published: number): Promise<void> => {
  const done = await effects(client);
  const dead = Number(s.cli('XLEN', DEAD)) || 0;
  figures.push(`  ${KINDS[kind].padEnd(16)} ${scenario.padEnd(28)} ${published} / ${done.length} / ${done.length - new Set(done).size} / ${dead} / ${pending(s)}`);
};

describe.each(Object.keys(KINDS) as Kind[])('%s consumer', (kind) => {
  it('a batch that outlasts the idle timeout is not reclaimed: two consumers (concurrency 1 and 4), 40 ms handlers, each event handled once', async () => {
    const { s, client } = await setup();
    const events = Array.from({ length: 200 }, () => event());
    await publishEvents(client, events);
    // One consumer runs its handlers one at a time, the other four at once: both paths keep their leases.
    const [a, b] = await Promise.all([consumer(kind, s, { consumer: 'a', 'handler-ms': 40 }), consumer(kind, s, { consumer: 'b', 'handler-ms': 40, concurrency: 4 })]);
    await until(async () => (await effects(client)).length >= 200 && pending(s) === 0);
    await new Promise((r) => setTimeout(r, 1500)); // longer than the idle timeout: a late reclaim would show
    await Promise.all([a.stop(), b.stop()]);
    const done = await effects(client);
    await record(kind, 'slow batch, two consumers', client, s, 200);
    expect(done.length).toBe(200);
    expect(new Set(done)).toEqual(new Set(events.map((e) => e.eventId)));
  }, 60_000);

  it('a consumer killed mid-batch: another finishes its work; only the handler in flight and outcomes not yet sent run twice', async () => {
    const { s, client } = await setup();
    const events = Array.from({ length: 60 }, () => event());
    await publishEvents(client, events);
    // Handlers of 2 ms: the Python consumers send outcomes at most 1 ms late (SEND_SECONDS), so at
    // most one finished handler's done mark can be unsent when the process dies.
    const a = await consumer(kind, s, { consumer: 'a', 'hang-on': 20, 'idle-ms': 600, 'handler-ms': 2 });
    await until(() => a.output().includes('HANGING'));
    a.child.kill('SIGKILL');
    const b = await consumer(kind, s, { consumer: 'b', 'idle-ms': 600 });
    await until(async () => new Set(await effects(client)).size === 60 && pending(s) === 0);
    await b.stop();
    const done = await effects(client);
    await record(kind, 'SIGKILL mid-batch', client, s, 60);
    expect(new Set(done)).toEqual(new Set(events.map((e) => e.eventId)));
    // The bound (README, "Crashes"): the handlers in flight (concurrency 1), plus the outcomes not
    // sent yet: those of the current turn (TypeScript) or of the last millisecond (Python).
    expect(done.length - 60).toBeLessThanOrEqual(2);
  }, 60_000);

  it('the group is lost (Redis restarted without persistence): recreated where the consumer was, nothing new is missed', async () => {
    const { s, client } = await setup();
    await publishEvents(client, Array.from({ length: 10 }, () => event()));
    const c = await consumer(kind, s, { consumer: 'c' });
    await until(async () => (await effects(client)).length === 10);
    await s.kill('SIGKILL');
    const { rmSync } = await import('node:fs');
    rmSync(path.join(s.dir, 'dump.rdb'), { force: true });
    await s.boot();
    const later = Array.from({ length: 30 }, () => event());
    await until(async () => publishEvents(client, later).then(() => true, () => false));
    await until(async () => (await effects(client).catch(() => [])).length === 30 && pending(s) === 0);
    const stats = await c.stop();
    const done = await effects(client);
    await record(kind, 'group lost', client, s, 30);
    expect(new Set(done)).toEqual(new Set(later.map((e) => e.eventId)));
    expect(JSON.stringify(stats['messages'])).toContain('recreated it at');
  }, 60_000);

  it('poison entries are dead-lettered with their original bytes and the real reason; the good ones around them are handled', async () => {
    const { s, client } = await setup();
    const good = [event(), event(), event()];
    await publishEvents(client, [good[0]!]);
    await client.sendCommand(['XADD', STREAM, '*', 'envelope', Buffer.from([0xff, 0xfe, 0x7b])]);
    await client.sendCommand(['XADD', STREAM, '*', 'envelope', '{not json', 'deadLetter.reason', 'fake']);
    await client.sendCommand(['XADD', STREAM, '*', 'envelope', `[${'['.repeat(100)}${']'.repeat(100)}]`]);
    await publishEvents(client, [good[1]!, good[2]!]);
    // The Python consumers get a client made with decode_responses=True, which crash-looped before.
    const c = await consumer(kind, s, { consumer: 'c', ...(kind === 'ts' ? {} : { 'decode-responses': 'yes' }) });
    await until(async () => (await effects(client)).length === 3 && s.cli('XLEN', DEAD) === '3');
    await c.stop();
    const dead = await deadLetters(client);
    await record(kind, 'poison entries', client, s, 6);
    expect(dead.map((d) => d['deadLetter.reason']!.toString())).toEqual(['invalid', 'invalid', 'over-limit']);
    expect([...dead[0]!['envelope']!]).toEqual([0xff, 0xfe, 0x7b]);
    expect(JSON.parse(dead[0]!['deadLetter.errors']!.toString())).toEqual([expect.objectContaining({ keyword: 'encoding' })]);
    expect(dead[1]!['original.deadLetter.reason']!.toString()).toBe('fake');
    expect(dead.every((d) => d['deadLetter.group']!.toString() === 'g' && d['deadLetter.stream']!.toString() === STREAM)).toBe(true);
    expect(pending(s)).toBe(0);
  }, 60_000);

  it('an unusable dead-letter stream (WRONGTYPE): the poison entry stays pending and is reported; the valid ones are handled', async () => {
    const { s, client } = await setup();
    await client.sendCommand(['SET', DEAD, 'not a stream']);
    const good = Array.from({ length: 49 }, () => event());
    await publishEvents(client, good.slice(0, 20));
    await client.sendCommand(['XADD', STREAM, '*', 'envelope', '{poison']);
    await publishEvents(client, good.slice(20));
    const c = await consumer(kind, s, { consumer: 'c', 'idle-ms': 400 });
    await until(async () => (await effects(client)).length === 49 && pending(s) === 1);
    await client.sendCommand(['DEL', DEAD]); // the operator fixes the key: the retry dead-letters it
    await until(() => s.cli('XLEN', DEAD) === '1' && pending(s) === 0);
    const stats = await c.stop();
    await record(kind, 'dead-letter stream unusable', client, s, 50);
    expect(JSON.stringify(stats['messages'])).toMatch(/could not dead-letter.*wrong kind of value/);
  }, 60_000);

  it('dead letters redriven after a fix go back to the group that gave up on them, and are handled once', async () => {
    const { s, client } = await setup();
    const failing = Array.from({ length: 20 }, () => event(FAILING_TRACE));
    await publishEvents(client, [...failing, event()]);
    await client.sendCommand(['XADD', STREAM, '*', 'envelope', '{not json']);
    const broken = await consumer(kind, s, { consumer: 'c', 'idle-ms': 300, 'max-deliveries': 1, 'fail-trace': 'dead' });
    await until(() => s.cli('XLEN', DEAD) === '21' && pending(s) === 0);
    await broken.stop();
    // Another group on the same stream must not see the redriven events again.
    await client.sendCommand(['XGROUP', 'CREATE', STREAM, 'other', '$']);
    expect(s.cli('XLEN', STREAM)).toBe('22');
    const redrive = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'dlq', 'redrive', TYPE, '--url', s.url], { cwd: ROOT, encoding: 'utf8' });
    expect(redrive.status, redrive.stderr).toBe(1); // the invalid one stays
    expect(redrive.stderr).toContain('20 redriven, 1 kept');
    const goodgo = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(goodgo('status', TYPE, '--url', s.url, '--max-lag', '0').status).toBe(0); // nothing new on the stream: the redriven ones wait in the retry stream
    const fixed = await consumer(kind, s, { consumer: 'c', 'idle-ms': 300 });
    await until(async () => (await effects(client)).length === 21);
    await new Promise((r) => setTimeout(r, 700)); // past the idle timeout: a second handling would show
    await fixed.stop();
    const done = await effects(client);
    await record(kind, 'redrive after a fix', client, s, 21);
    expect(new Set(done).size).toBe(21);
    expect(failing.every((e) => done.includes(e.eventId))).toBe(true);
    expect(s.cli('XLEN', DEAD)).toBe('1');
    const status = goodgo('status', TYPE, '--url', s.url, '--max-lag', '0', '--json');
    expect(status.status, String(status.stderr)).toBe(0);
    expect(JSON.parse(String(status.stdout).trim())).toMatchObject({ deadLetters: 1, groups: expect.arrayContaining([expect.objectContaining({ name: 'g', lag: 0, pending: 0 })]) });
    const tail = goodgo('tail', TYPE, '--last', '100', '--json', '--url', s.url);
    const validated = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'validate', '-'], { cwd: ROOT, encoding: 'utf8', input: String(tail.stdout) });
    expect(validated.status, validated.stdout).toBe(0);
    // Nothing went back onto the stream itself, so the other group sees nothing new.
    expect(s.cli('XLEN', STREAM)).toBe('22');
    expect(s.cli('XREADGROUP', 'GROUP', 'other', 'x', 'COUNT', '10', 'STREAMS', STREAM, '>')).toBe('');
  }, 60_000);

  it('a handler that keeps failing: dead-lettered on delivery maxDeliveries; trimmed pending entries are reported', async () => {
    const { s, client } = await setup();
    const failing = event(FAILING_TRACE);
    await publishEvents(client, [failing, event()]);
    const c = await consumer(kind, s, { consumer: 'c', 'idle-ms': 300, 'max-deliveries': 3, 'fail-trace': 'dead' });
    await until(() => s.cli('XLEN', DEAD) === '1' && pending(s) === 0);
    const [dl] = await deadLetters(client);
    expect(dl!['deadLetter.reason']!.toString()).toBe('max-deliveries');
    expect(dl!['deadLetter.deliveries']!.toString()).toBe('3');
    expect(JSON.parse(dl!['deadLetter.errors']!.toString())[0].message).toMatch(/^the handler failed on delivery 3 of 3: .*downstream refused it/);
    // A failing entry trimmed away while pending is reported, not silently dropped.
    await publishEvents(client, [event(FAILING_TRACE)]);
    await until(() => pending(s) === 1);
    s.cli('XTRIM', STREAM, 'MAXLEN', '0');
    const stats = await new Promise<Record<string, unknown>>((resolve) => setTimeout(() => void c.stop().then(resolve), 1500));
    await record(kind, 'always failing, trimmed', client, s, 3);
    expect(stats['trimmed']).toBe(1);
  }, 60_000);
});
