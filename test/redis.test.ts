// The Redis Streams binding, against real redis-server processes (no mocks): TypeScript and Python
// producers and consumers, dead letters, a killed consumer, a failing handler, a Redis restart,
// load, and a three-node Redis Cluster.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createClient, createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { consumeEvents, createEnvelope, EVENT_DEAD_LETTER_KEYS, EVENT_TYPES, fromStreamFields, publishEvent, publishEvents, toStreamFields, type EventEnvelope, type EventPayloadMap, type EventType, type KnownEvent } from '../src/index.ts';
import { venvPython } from '../scripts/lib/render/render-python.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';
import { freePort, RedisServer } from './support/redis-server.ts';

const PY_CONSUMER = path.join(ROOT, 'test/support/py_consumer.py');
const TS_CONSUMER = path.join(ROOT, 'test/support/ts-consumer.ts');
const servers: RedisServer[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.stop()));
});
const server = async (options?: { aof?: boolean }): Promise<RedisServer> => {
  const s = await RedisServer.start(options);
  servers.push(s);
  return s;
};
const connect = async (s: RedisServer) => createClient({ url: s.url }).connect();
const payloads = Object.fromEntries(contractExamples().map((e) => [e.eventType, e.payload['payload']])) as unknown as EventPayloadMap;
const event = <T extends EventType>(type: T, producer = 'api'): KnownEvent => createEnvelope(type, payloads[type], { producer });
const until = async (check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const python = (args: string[], options: { input?: string } = {}) =>
  spawnSync(venvPython(), args, { encoding: 'utf8', timeout: 120_000, ...options });
const pyConsumer = (args: string[]): { result: Promise<{ stdout: string; stderr: string; code: number | null }>; child: ChildProcess } => {
  const child = spawn(venvPython(), [PY_CONSUMER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  return { child, result: new Promise((resolve) => child.on('exit', (code) => resolve({ stdout, stderr, code }))) };
};

describe('the codec (pure)', () => {
  it('puts the envelope as UTF-8 JSON in the field "envelope", and reads it back ignoring other fields', () => {
    const e = event('kyc.verified');
    const fields = toStreamFields(e);
    expect(Object.keys(fields)).toEqual(['envelope']);
    expect(fromStreamFields({ ...fields, other: 'ignored' })).toMatchObject({ ok: true, known: true, event: e });
    expect(fromStreamFields(['other', 'x', 'envelope', fields.envelope])).toMatchObject({ ok: true, event: e });
    expect(fromStreamFields({ other: 'x' })).toMatchObject({ ok: false, errors: [{ keyword: 'required', message: 'the stream entry has no "envelope" field' }] });
  });
});

describe('1. TypeScript and Python, both directions', () => {
  it('TypeScript publishes every event type; Python consumer groups (blocking and asyncio) receive them typed and ack', async () => {
    const s = await server();
    const client = await connect(s);
    const published = EVENT_TYPES.flatMap((t) => [event(t), event(t)]);
    await publishEvents(client, published);
    for (const mode of ['blocking', 'asyncio']) {
      const { result } = pyConsumer(['--url', s.url, '--group', `py-${mode}`, '--consumer', 'c1', '--types', EVENT_TYPES.join(','), '--expect', String(published.length), ...(mode === 'asyncio' ? ['--asyncio'] : [])]);
      const out = await result;
      expect(out.code, out.stderr).toBe(0);
      const summary = JSON.parse(out.stdout) as { handled: { eventId: string; eventType: string; field: string }[]; stats: { handled: number; dead_lettered: number } };
      expect(summary.handled.map((h) => h.eventId).sort(), mode).toEqual(published.map((e) => e.eventId).sort());
      expect(new Set(summary.handled.map((h) => `${h.eventType}:${h.field}`))).toEqual(new Set(['kyc.verified:userId', 'listing.approved:listingId', 'payment.completed:paymentId']));
      for (const t of EVENT_TYPES) expect(s.cli('XPENDING', `events:${t}`, `py-${mode}`).split('\n')[0], `${mode} ${t} pending`).toBe('0');
    }
    await client.quit();
  });

  it('Python publishes (blocking and asyncio); a TypeScript consumer receives them typed', async () => {
    const s = await server();
    const out = python(['-c', `
import asyncio, json, redis, redis.asyncio as aioredis
from goodgo_contracts_events import create_envelope
from goodgo_contracts_events.redis_streams import publish_events
from goodgo_contracts_events.redis_streams_asyncio import publish_event
kyc = {"userId": "usr_1", "verificationId": "kyc_1", "level": "basic", "provider": "onfido", "verifiedAt": "2026-11-27T09:15:01.980Z"}
events = [create_envelope("kyc.verified", kyc, producer="ml-service") for _ in range(3)]
publish_events(redis.Redis.from_url("${s.url}"), events)
async def one():
    c = aioredis.Redis.from_url("${s.url}")
    e = create_envelope("kyc.verified", kyc, producer="ml-service")
    await publish_event(c, e)
    await c.aclose()
    return e
events.append(asyncio.run(one()))
print(json.dumps([e["eventId"] for e in events]))
`]);
    expect(out.status, out.stderr).toBe(0);
    const ids = JSON.parse(out.stdout) as string[];
    const client = await connect(s);
    const seen: KnownEvent[] = [];
    const consumer = await consumeEvents({ client, group: 'ts', consumer: 't1', eventTypes: ['kyc.verified'], blockMs: 100, handler: (e) => void seen.push(e) });
    await until(() => seen.length === 4);
    await consumer.stop();
    expect(seen.map((e) => e.eventId).sort()).toEqual([...ids].sort());
    expect(seen.every((e) => e.eventType === 'kyc.verified' && e.payload.level === 'basic' && e.producer === 'ml-service')).toBe(true);
    await client.quit();
  });

  it('carries the OpenTelemetry trace id from the producer span to the handler', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const s = await server();
    const client = await connect(s);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const span = trace.wrapSpanContext({ traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 });
    const e = context.with(trace.setSpan(context.active(), span), () => event('payment.completed'));
    expect(e.traceId).toBe(traceId);
    expect(event('payment.completed').traceId).toBe('00000000000000000000000000000000');
    await publishEvent(client, e);
    const traces: (string | undefined)[] = [];
    const consumer = await consumeEvents({ client, group: 'trace', consumer: 't', eventTypes: ['payment.completed'], blockMs: 100, handler: (_e, ctx) => void traces.push(ctx.traceId) });
    await until(() => traces.length === 1);
    await consumer.stop();
    expect(traces).toEqual([traceId]);
    const py = python(['-c', `
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from goodgo_contracts_events import create_envelope
kyc = {"userId": "usr_1", "verificationId": "kyc_1", "level": "basic", "provider": "onfido", "verifiedAt": "2026-11-27T09:15:01.980Z"}
span = NonRecordingSpan(SpanContext(trace_id=int("${traceId}", 16), span_id=1, is_remote=False, trace_flags=TraceFlags(1)))
with trace.use_span(span):
    print(create_envelope("kyc.verified", kyc, producer="ml")["traceId"])
print(create_envelope("kyc.verified", kyc, producer="ml")["traceId"])
`]);
    expect(py.stdout.trim().split('\n')).toEqual([traceId, '0'.repeat(32)]);
    context.disable();
    await client.quit();
  });
});

describe('publishing options', () => {
  it('trims the stream with MAXLEN ~ when asked', async () => {
    const s = await server();
    const client = await connect(s);
    for (let i = 0; i < 5; i++) await publishEvents(client, Array.from({ length: 200 }, () => event('kyc.verified')), { maxLen: 50 });
    // Approximate trimming keeps whole macro nodes (100 entries by default), never all 1000.
    expect(Number(s.cli('XLEN', 'events:kyc.verified'))).toBeLessThan(300);
    await client.quit();
  });
});

describe('graceful stop', () => {
  it('finishes the handler in flight and acknowledges its entry before resolving', async () => {
    const s = await server();
    const client = await connect(s);
    await publishEvent(client, event('kyc.verified'));
    let started = false;
    let finished = false;
    const consumer = await consumeEvents({ client, group: 'g', consumer: 'c', eventTypes: ['kyc.verified'], blockMs: 100,
      handler: async () => { started = true; await new Promise((r) => setTimeout(r, 300)); finished = true; } });
    await until(() => started);
    await consumer.stop();
    expect(finished).toBe(true);
    expect(s.cli('XPENDING', 'events:kyc.verified', 'g').split('\n')[0]).toBe('0');
    expect(consumer.stats.handled).toBe(1);
    await client.quit();
  });
});

describe('2. entries that cannot be handled', () => {
  it('go to the dead-letter stream with the reason and their fields; the good ones around them are handled; nothing is lost', async () => {
    const s = await server();
    const client = await connect(s);
    const key = 'events:payment.completed';
    const deadKey = EVENT_DEAD_LETTER_KEYS['payment.completed'];
    const good = [event('payment.completed'), event('payment.completed'), event('payment.completed')];
    const wrongType = { ...(good[0] as EventEnvelope), eventId: event('payment.completed').eventId, payload: { ...(good[0]!.payload as object), amount: 'lots' } };
    await publishEvent(client, good[0]!);
    s.cli('XADD', key, '*', 'envelope', '{not json');
    await publishEvent(client, good[1]!);
    s.cli('XADD', key, '*', 'envelope', JSON.stringify({ ...(good[0] as object), eventId: event('payment.completed').eventId, traceId: undefined }));
    s.cli('XADD', key, '*', 'envelope', JSON.stringify(wrongType));
    s.cli('XADD', key, '*', 'envelope', JSON.stringify(event('kyc.verified')));
    s.cli('XADD', key, '*', 'envelope', JSON.stringify({ ...(good[0] as object), eventType: 'fixture.never_defined', eventId: event('payment.completed').eventId }));
    s.cli('XADD', key, '*', 'note', 'no envelope here');
    await publishEvent(client, good[2]!);
    const handled: string[] = [];
    const consumer = await consumeEvents({ client, group: 'g', consumer: 'c', eventTypes: ['payment.completed'], blockMs: 100, handler: (e) => void handled.push(e.eventId) });
    await until(() => handled.length === 3 && s.cli('XLEN', deadKey) === '6');
    await consumer.stop();
    expect(handled).toEqual(good.map((e) => e.eventId));
    const dead = (await client.sendCommand(['XRANGE', deadKey, '-', '+'])) as [string, string[]][];
    const fields = dead.map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 ? [] : [[f[i], f[i + 1]]]))) as Record<string, string>);
    // An unknown event type on a producer-only stream is on the wrong stream, whatever consumers tolerate.
    expect(fields.map((f) => f['deadLetter.reason'])).toEqual(['invalid', 'invalid', 'payload-invalid', 'wrong-stream', 'wrong-stream', 'invalid']);
    expect(fields[0]).toMatchObject({ envelope: '{not json', 'deadLetter.stream': key, 'deadLetter.group': 'g', 'deadLetter.deliveries': '1' });
    expect(JSON.parse(fields[1]!['deadLetter.errors']!)).toEqual([expect.objectContaining({ keyword: 'required', params: { missingProperty: 'traceId' } })]);
    expect(JSON.parse(fields[2]!['deadLetter.errors']!)).toEqual([expect.objectContaining({ instancePath: '/payload/amount', keyword: 'type' })]);
    expect(fields[5]).toMatchObject({ note: 'no envelope here', 'deadLetter.reason': 'invalid' });
    // Nothing lost: every entry is either handled or dead-lettered, and nothing is left pending.
    expect(Number(s.cli('XLEN', key))).toBe(handled.length + dead.length);
    expect(s.cli('XPENDING', key, 'g').split('\n')[0]).toBe('0');
    await client.quit();
  });
});

describe('3. a consumer killed in the middle of a batch', () => {
  it('leaves its entries to another consumer after the idle timeout; every event is handled exactly once', async () => {
    const s = await server();
    const client = await connect(s);
    const events = Array.from({ length: 50 }, () => event('listing.approved'));
    await publishEvents(client, events);
    const a = spawn(process.execPath, ['--import', 'tsx', TS_CONSUMER, '--url', s.url, '--group', 'g', '--consumer', 'a', '--types', 'listing.approved', '--hang-on', '20', '--idle-ms', '500'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(a);
    let output = '';
    a.stdout!.on('data', (d: Buffer) => (output += d));
    await until(() => output.includes('HANGING'));
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));
    expect(Number(s.cli('LLEN', 'effects:g'))).toBe(19);
    const b = await consumeEvents({ client, group: 'g', consumer: 'b', eventTypes: ['listing.approved'], blockMs: 100, idleTimeoutMs: 500,
      handler: async (e) => void (await client.sendCommand(['RPUSH', 'effects:g', e.eventId])) });
    await until(() => s.cli('LLEN', 'effects:g') === '50' && s.cli('XPENDING', 'events:listing.approved', 'g').split('\n')[0] === '0');
    await b.stop();
    const effects = (await client.sendCommand(['LRANGE', 'effects:g', '0', '-1'])) as string[];
    expect(effects.length).toBe(50);
    expect(new Set(effects)).toEqual(new Set(events.map((e) => e.eventId)));
    expect(b.stats.reclaimed).toBeGreaterThanOrEqual(31);
    await client.quit();
  });
});

describe('4. a handler that always throws', () => {
  it('is retried, then its entry is dead-lettered when it fails on delivery maxDeliveries', async () => {
    const s = await server();
    const client = await connect(s);
    const e = event('kyc.verified');
    await publishEvent(client, e);
    let calls = 0;
    const consumer = await consumeEvents({ client, group: 'g', consumer: 'c', eventTypes: ['kyc.verified'], blockMs: 100, idleTimeoutMs: 200, maxDeliveries: 3, onError: () => undefined,
      handler: () => { calls++; throw new Error('downstream is down'); } });
    const deadKey = EVENT_DEAD_LETTER_KEYS['kyc.verified'];
    await until(() => s.cli('XLEN', deadKey) === '1');
    await consumer.stop();
    expect(calls).toBe(3);
    const dead = s.cli('XRANGE', deadKey, '-', '+').split('\n');
    expect(dead[dead.indexOf('deadLetter.reason') + 1]).toBe('max-deliveries');
    expect(dead[dead.indexOf('deadLetter.deliveries') + 1]).toBe('3');
    expect(JSON.parse(dead[dead.indexOf('envelope') + 1]!)).toEqual(e);
    expect(s.cli('XPENDING', 'events:kyc.verified', 'g').split('\n')[0]).toBe('0');
    await client.quit();
  });
});

describe('5. Redis restarted (AOF on) during consumption', () => {
  it('consumers reconnect and carry on; nothing is lost', async () => {
    const s = await server({ aof: true });
    const client = await connect(s);
    client.on('error', () => undefined);
    const events = Array.from({ length: 300 }, () => event('payment.completed'));
    await publishEvents(client, events);
    const handled = new Set<string>();
    const consumer = await consumeEvents({ client, group: 'g', consumer: 'c', eventTypes: ['payment.completed'], count: 10, blockMs: 100, idleTimeoutMs: 300, onError: () => undefined,
      handler: async (e) => { await new Promise((r) => setTimeout(r, 3)); handled.add(e.eventId); } });
    await until(() => handled.size >= 60);
    await s.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    await s.boot();
    await until(() => handled.size === 300 && s.cli('XPENDING', 'events:payment.completed', 'g').split('\n')[0] === '0', 40_000);
    await consumer.stop();
    expect(handled).toEqual(new Set(events.map((e) => e.eventId)));
    await client.quit().catch(() => undefined);
  });
});

describe('6. load', () => {
  it('100,000 events published from TypeScript, consumed by two Python consumers in one group: each handled exactly once', async () => {
    const s = await server();
    const client = await connect(s);
    const total = 100_000;
    const started = performance.now();
    for (let i = 0; i < total; i += 2000) {
      await publishEvents(client, Array.from({ length: Math.min(2000, total - i) }, () => event('payment.completed')));
    }
    const publishSeconds = (performance.now() - started) / 1000;
    const dir = mkdtempSync(path.join(tmpdir(), 'load-'));
    const consumers = ['one', 'two'].map((name) => pyConsumer(['--url', s.url, '--group', 'load', '--consumer', name, '--types', 'payment.completed', '--ids-file', path.join(dir, name)]));
    await until(() => s.cli('XPENDING', 'events:payment.completed', 'load').split('\n')[0] === '0' && s.cli('XINFO', 'GROUPS', 'events:payment.completed').includes(`entries-read\n${total}`), 120_000);
    for (const c of consumers) c.child.kill('SIGTERM');
    const outs = await Promise.all(consumers.map((c) => c.result));
    const summaries = outs.map((o) => JSON.parse(o.stdout) as { count: number; seconds: number });
    const ids = ['one', 'two'].flatMap((n) => readFileSync(path.join(dir, n), 'utf8').split('\n').filter(Boolean));
    rmSync(dir, { recursive: true, force: true });
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(summaries.every((x) => x.count > 0)).toBe(true);
    const consumeSeconds = Math.max(...summaries.map((x) => x.seconds));
    console.log(`load: published ${total} events in ${publishSeconds.toFixed(1)} s (${Math.round(total / publishSeconds)}/s); two Python consumers handled them (${summaries.map((x) => x.count).join(' + ')}) in ${consumeSeconds.toFixed(1)} s (${Math.round(total / consumeSeconds)}/s)`);
    await client.quit();
  }, 180_000);
});

describe('7. Redis Cluster (three nodes on loopback)', () => {
  it('runs scenario 1 on a cluster: TypeScript publishes, Python consumes, and back', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const nodes = await Promise.all(ports.map(async (port) => {
      const node = await RedisServer.start({ extra: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'] });
      servers.push(node);
      return node;
    }));
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    expect(create.status, create.stdout + create.stderr).toBe(0);
    await until(() => nodes.every((n) => n.cli('CLUSTER', 'INFO').includes('cluster_state:ok')));
    const cluster = createCluster({ rootNodes: nodes.map((n) => ({ url: n.url })) });
    await cluster.connect();
    const published = EVENT_TYPES.map((t) => event(t));
    await publishEvents(cluster, published);
    const { result } = pyConsumer(['--cluster', `127.0.0.1:${nodes[0]!.port}`, '--group', 'py', '--consumer', 'c1', '--types', EVENT_TYPES.join(','), '--expect', String(published.length)]);
    const out = await result;
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.stdout) as { handled: { eventId: string }[] }).handled.map((h) => h.eventId).sort()).toEqual(published.map((e) => e.eventId).sort());
    const back = python(['-c', `
import json
from redis.cluster import RedisCluster
from goodgo_contracts_events import create_envelope
from goodgo_contracts_events.redis_streams import publish_event
kyc = {"userId": "usr_1", "verificationId": "kyc_1", "level": "basic", "provider": "onfido", "verifiedAt": "2026-11-27T09:15:01.980Z"}
e = create_envelope("kyc.verified", kyc, producer="ml")
publish_event(RedisCluster(host="127.0.0.1", port=${nodes[1]!.port}), e)
print(e["eventId"])
`]);
    expect(back.status, back.stderr).toBe(0);
    const seen: string[] = [];
    const consumer = await consumeEvents({ client: cluster, group: 'ts', consumer: 't', eventTypes: ['kyc.verified'], blockMs: 100, handler: (e) => void seen.push(e.eventId) });
    await until(() => seen.includes(back.stdout.trim()));
    await consumer.stop();
    await cluster.close();
  }, 60_000);
});
