// The consumer's throughput on a real redis-server, side by side in one process (npm run bench):
// consumeEvents against a bare loop (XREADGROUP 50, JSON.parse, one XACK per batch), with
// validation against the same consumer deciding by JSON.parse alone, and concurrency 16 against 1.
import { createClient, type RedisClientType } from 'redis';
import { createEnvelope, EVENT_STREAM_KEYS, EVENT_TYPES, publishEvents, STREAM_ENTRY_FIELD, type EventType, type KnownEvent } from '../src/index.ts';
import { limitIssue } from '../src/event-limits.ts';
import { consumeEventsWith } from '../src/redis/consume-events.ts';
import type { StreamEntry } from '../src/redis/decide-entry.ts';
import { contractExamples } from '../test/support/contract-examples.ts';
import { RedisServer } from '../test/support/redis-server.ts';
import { median } from './harness.ts';

export interface BenchRow {
  readonly measure: string;
  readonly figure: string;
  readonly target: string;
  readonly met: boolean;
}

const TYPE: EventType = EVENT_TYPES[0];
const STREAM = EVENT_STREAM_KEYS[TYPE];
let groups = 0;
const k = (v: number): string => `${(v / 1000).toFixed(1)}k`;

/** The same decision minus the schema check: find the field, decode strictly, apply the limits, JSON.parse. */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const FIELD = Buffer.from(STREAM_ENTRY_FIELD);
const unvalidated = (_type: EventType, entry: StreamEntry): { action: 'handle'; event: KnownEvent } => {
  const raw = entry.fields[entry.fields.findIndex((f, i) => i % 2 === 0 && typeof f !== 'string' && Buffer.from(f.buffer, f.byteOffset, f.byteLength).equals(FIELD)) + 1] as Uint8Array;
  const text = utf8.decode(raw);
  if (limitIssue(text, raw.length)) throw new Error('over a limit');
  return { action: 'handle', event: JSON.parse(text) as KnownEvent };
};

async function bare(client: RedisClientType, group: string, n: number): Promise<void> {
  let seen = 0;
  while (seen < n) {
    const reply = (await client.sendCommand(['XREADGROUP', 'GROUP', group, 'c', 'COUNT', '50', 'BLOCK', '100', 'STREAMS', STREAM, '>'])) as unknown;
    const entries = (reply instanceof Map ? [...reply.values()][0] : Array.isArray(reply) ? (reply[0] as unknown[])[1] : Object.values(reply as object)[0]) as [string, string[]][];
    for (const [, fields] of entries) JSON.parse(fields[1]!);
    await client.sendCommand(['XACK', STREAM, group, ...entries.map(([id]) => id)]);
    seen += entries.length;
  }
}

async function consumer(client: RedisClientType, group: string, n: number, options: { handlerMs?: number; concurrency?: number; validate?: boolean } = {}): Promise<void> {
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const c = await consumeEventsWith({
    client, group, consumer: 'c', eventTypes: [TYPE], blockMs: 100, concurrency: options.concurrency ?? 1,
    handler: async () => {
      if (options.handlerMs) await new Promise((r) => setTimeout(r, options.handlerMs));
      if (++handled === n) done();
    },
  }, options.validate === false ? { decide: unvalidated } : {});
  await finished;
  await c.stop();
}

/** Events per second of each contender, interleaved over rounds, a fresh group per run. */
async function rates(client: RedisClientType, n: number, rounds: number, contenders: Record<string, (group: string) => Promise<void>>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));

  for (let round = -1; round < rounds; round++) {
    // Shuffled every round; each run's idempotency marks deleted after it, so that no contender
    // pays for a Redis grown (and rehashing) by the runs before it.
    const order = Object.entries(contenders).sort(() => Math.random() - 0.5);
    for (const [name, run] of order) {
      const group = `bench-${groups++}`;
      await client.sendCommand(['XGROUP', 'CREATE', STREAM, group, '0']);
      const start = process.hrtime.bigint();
      await run(group);
      if (round >= 0) samples[name]!.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
      await client.sendCommand(['EVAL', "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end", '0', `{${STREAM}}:handled:*`]);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)]));
}

/**
 * The consumer rows of the benchmark table.
 *
 * @example
 * rows.push(...(await consumerRows()));
 */
export async function consumerRows(): Promise<BenchRow[]> {
  const server = await RedisServer.start();
  const client = (await createClient({ url: server.url }).connect()) as RedisClientType;
  const payload = contractExamples().find((e) => e.eventType === TYPE)!.payload['payload'];
  const n = 20_000;
  for (let i = 0; i < n; i += 1000) await publishEvents(client, Array.from({ length: 1000 }, () => createEnvelope(TYPE, payload as never, { producer: 'bench' })));
  const r = await rates(client, n, 7, {
    bare: (g) => bare(client, g, n),
    consumer: (g) => consumer(client, g, n),
    unvalidated: (g) => consumer(client, g, n, { validate: false }),
  });
  const slow = 2000;
  const c = await rates(client, slow, 3, {
    one: (g) => consumer(client, g, slow / 10, { handlerMs: 10 }),
    sixteen: (g) => consumer(client, g, slow, { handlerMs: 10, concurrency: 16 }),
  });
  // `one` handles a tenth of the events (it is slow), so its rate is n/10 per its time.
  const one = c['one']! / 10;
  await client.close();
  await server.stop();
  return [
    { measure: '`consumeEvents` (trivial handler) vs a bare loop on the same Redis: XREADGROUP 50, `JSON.parse`, one XACK per batch (throughput ratio)', figure: `${(r['consumer']! / r['bare']!).toFixed(2)}x (${k(r['consumer']!)} vs ${k(r['bare']!)} events/s)`, target: '≥ 0.30x', met: r['consumer']! / r['bare']! >= 0.3 },
    { measure: '`consumeEvents` with validation vs the same consumer without the schema check (the field found, decoded, bounded and parsed alike) (throughput ratio)', figure: `${(r['consumer']! / r['unvalidated']!).toFixed(2)}x (${k(r['consumer']!)} vs ${k(r['unvalidated']!)} events/s)`, target: '≥ 0.80x', met: r['consumer']! / r['unvalidated']! >= 0.8 },
    { measure: '`consumeEvents` `concurrency: 16` vs `concurrency: 1`, 10 ms handler (throughput ratio)', figure: `${(c['sixteen']! / one).toFixed(1)}x (${Math.round(c['sixteen']!)} vs ${Math.round(one)} events/s)`, target: '≥ 8x', met: c['sixteen']! / one >= 8 },
  ];
}
