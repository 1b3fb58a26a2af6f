// goodgo-events dlq list, status and tail against a real redis-server (issue 11): what an operator
// runs after a bad deploy, and what a probe runs to alert on lag. The event type comes from the contract.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeEvents, createEnvelope, EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS, EVENT_TYPES, publishEvents, type KnownEvent } from '../src/index.ts';
import { retryKey } from '../src/redis/consumer-core.ts';
import { deadLetterFields } from '../src/redis/decide-entry.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';
import { freePort, RedisServer } from './support/redis-server.ts';

const TYPE = EVENT_TYPES[0];
const STREAM = EVENT_STREAM_KEYS[TYPE];
const event = (traceId?: string): KnownEvent => createEnvelope(TYPE, contractExamples().find((e) => e.eventType === TYPE)!.payload['payload'] as never, { producer: 'ops', ...(traceId ? { traceId } : {}) });
const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}) });

let server: RedisServer;
let client: RedisClientType;
beforeAll(async () => {
  server = await RedisServer.start();
  client = (await createClient({ url: server.url }).connect()) as RedisClientType;
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('operating the streams from the command line', () => {
  it('status shows the lag and exits 1 over --max-lag; dlq list shows why events were dead-lettered; tail pipes into validate', async () => {
    await publishEvents(client, [event(), event('dead'.padEnd(32, '0')), event()]);
    await client.sendCommand(['XADD', STREAM, '*', 'envelope', '{not json']);
    await client.sendCommand(['XGROUP', 'CREATE', STREAM, 'ledger', '0']);

    const before = cli(['status', TYPE, '--url', server.url, '--max-lag', '0']);
    expect(before.status, before.stderr).toBe(1);
    expect(before.stdout).toMatch(new RegExp(`ledger  lag=4  pending=0`));
    expect(before.stderr).toContain(`alert: ${STREAM} group ledger: lag 4 > 0`);

    const consumer = await consumeEvents({ client, group: 'ledger', consumer: 'c', eventTypes: [TYPE], blockMs: 50, maxDeliveries: 1, onError: () => undefined,
      handler: (e) => { if (e.traceId.startsWith('dead')) throw new Error('ledger is down'); } });
    const deadline = Date.now() + 20_000;
    while (Number(await client.sendCommand(['XLEN', EVENT_DEAD_LETTER_KEYS[TYPE]])) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();

    const after = cli(['status', '--json', '--url', server.url, '--max-lag', '0', '--max-pending-age', '1h']);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    const row = after.stdout.trim().split('\n').map((l) => JSON.parse(l) as { stream: string; deadLetters: number; groups: { name: string; lag: number; pending: number }[] }).find((r) => r.stream === STREAM)!;
    expect(row).toMatchObject({ deadLetters: 2, groups: [{ name: 'ledger', lag: 0, pending: 0 }] });

    const list = cli(['dlq', 'list', TYPE, '--json'], { env: { REDIS_URL: server.url } });
    expect(list.status, list.stderr).toBe(0);
    const dead = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { reason: string; group: string; errors: { message: string }[] });
    expect(dead.map((d) => d.reason).sort()).toEqual(['invalid', 'max-deliveries']);
    expect(dead.every((d) => d.group === 'ledger')).toBe(true);
    expect(dead.find((d) => d.reason === 'max-deliveries')!.errors[0]!.message).toContain('ledger is down');
    expect(cli(['dlq', 'list', TYPE, '--reason', 'invalid', '--url', server.url]).stderr).toContain('1 dead letter(s) with reason invalid');

    // The last three entries: two events, then the poison entry, which goes to stderr, not into the NDJSON.
    const tail = cli(['tail', TYPE, '--last', '3', '--json', '--url', server.url]);
    expect(tail.status).toBe(1);
    expect(tail.stdout.trim().split('\n')).toHaveLength(2);
    expect(tail.stderr).toMatch(/: invalid entry: \(root\) is not valid JSON/);
    const valid = cli(['validate', '-'], { input: tail.stdout });
    expect(valid.status, valid.stdout).toBe(0);
    expect(valid.stderr).toContain('2 event(s), 0 invalid');
  }, 60_000);

  it('dlq redrive killed at random points loses and duplicates nothing; run again, it finishes', async () => {
    const DEAD = EVENT_DEAD_LETTER_KEYS[TYPE];
    const retry = retryKey(STREAM, 'g');
    await client.sendCommand(['DEL', DEAD, retry]);
    const events = Array.from({ length: 3000 }, () => event());
    for (let i = 0; i < events.length; i += 500) {
      await Promise.all(events.slice(i, i + 500).map((e, j) => client.sendCommand(['XADD', DEAD, '*', ...deadLetterFields({ id: `1-${i + j}`, fields: ['envelope', JSON.stringify(e)], deliveries: 3 }, { eventType: TYPE, group: 'g', reason: 'max-deliveries', errors: [] }).map(String)])));
    }
    let runs = 0;
    for (;;) {
      runs++;
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'dlq', 'redrive', TYPE, '--url', server.url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
      // Killed while it is moving entries: a random moment after its first report of a move.
      let killer: ReturnType<typeof setTimeout> | undefined;
      child.stdout!.on('data', () => (killer ??= setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 60))));
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearTimeout(killer);
      if (code === 0) break;
      expect(runs, 'redrive never finished').toBeLessThan(40);
    }
    const moved = (await client.sendCommand(['XRANGE', retry, '-', '+'])) as [string, string[]][];
    expect(Number(await client.sendCommand(['XLEN', DEAD]))).toBe(0);
    expect(moved).toHaveLength(events.length);
    expect(new Set(moved.map(([, f]) => (JSON.parse(f[1]!) as KnownEvent).eventId))).toEqual(new Set(events.map((e) => e.eventId)));
    expect(moved.every(([, f]) => f.length === 2 && f[0] === 'envelope')).toBe(true); // the dead-letter fields are gone
    console.log(`redrive: ${events.length} dead letters moved in ${runs} run(s), killed ${runs - 1} time(s)`);
  }, 120_000);

  it('dlq purge deletes the dead letters older than the duration, and says how many and which', async () => {
    const DEAD = EVENT_DEAD_LETTER_KEYS[TYPE];
    await client.sendCommand(['DEL', DEAD]);
    const now = Date.now();
    for (const [i, ageMs] of [3 * 86_400_000, 2 * 86_400_000, 60_000].entries()) await client.sendCommand(['XADD', DEAD, `${now - ageMs}-${i}`, 'envelope', '{}']);
    const dry = cli(['dlq', 'purge', TYPE, '--older-than', '1d', '--dry-run', '--url', server.url]);
    expect(dry.stdout).toContain(`would delete 2 dead letter(s) older than 1d, ids ${now - 3 * 86_400_000}-0 to ${now - 2 * 86_400_000}-1`);
    expect(Number(await client.sendCommand(['XLEN', DEAD]))).toBe(3);
    const run = cli(['dlq', 'purge', TYPE, '--older-than', '1d', '--url', server.url]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`deleted 2 dead letter(s) older than 1d, ids ${now - 3 * 86_400_000}-0 to ${now - 2 * 86_400_000}-1`);
    expect(Number(await client.sendCommand(['XLEN', DEAD]))).toBe(1);
    for (let i = 0; i < 5; i++) await client.sendCommand(['XADD', DEAD, '*', 'envelope', '{}']);
    const kept = cli(['dlq', 'purge', TYPE, '--keep', '2', '--url', server.url]);
    expect(kept.stdout).toMatch(/deleted 4 dead letter\(s\) beyond the newest 2, ids \d+-\d+ to \d+-\d+/);
    expect(Number(await client.sendCommand(['XLEN', DEAD]))).toBe(2);
  });

  it('says what is wrong, and how to fix it, without a stack trace', async () => {
    for (const [args, env, message] of [
      [['dlq', 'list', 'test.never_defined', '--url', server.url], {}, 'is not an event type of the contract'],
      [['dlq', 'list', TYPE], { REDIS_URL: '' }, 'pass --url redis://host:6379 or set REDIS_URL'],
      [['status', '--url', `redis://127.0.0.1:${await freePort()}`], {}, 'cannot reach Redis at'],
      [['status', '--max-pending-age', 'soon', '--url', server.url], {}, '--max-pending-age must be a duration'],
      [['dlq', 'drop', TYPE], {}, 'the subcommands are list, redrive and purge'],
      [['dlq', 'purge', TYPE, '--url', server.url], {}, 'dlq purge needs --older-than (e.g. 7d) or --keep'],
      [['tail', TYPE, '--bogus'], {}, "Unknown option '--bogus'"],
    ] as const) {
      const run = cli([...args], { env: { ...env } });
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
