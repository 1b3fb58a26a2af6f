// dlq redrive's throughput on a real redis-server (npm run bench): 20,000 valid dead letters sent
// back to their group, beside reading the same dead letters without moving them.
import { createClient, type RedisClientType } from 'redis';
import { createEnvelope, EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS, EVENT_TYPES, type EventType } from '../src/index.ts';
import { retryKey } from '../src/redis/consumer-core.ts';
import { readDeadLetters } from '../src/redis/dead-letters.ts';
import { deadLetterFields } from '../src/redis/decide-entry.ts';
import { redriveDeadLetters } from '../src/redis/redrive.ts';
import { contractExamples } from '../test/support/contract-examples.ts';
import { RedisServer } from '../test/support/redis-server.ts';
import type { BenchRow } from './consumer-bench.ts';

const TYPE: EventType = EVENT_TYPES[0];

/**
 * The redrive row of the benchmark table.
 *
 * @example
 * rows.push(...(await redriveRows()));
 */
export async function redriveRows(): Promise<BenchRow[]> {
  const server = await RedisServer.start();
  const client = (await createClient({ url: server.url }).connect()) as RedisClientType;
  const dead = EVENT_DEAD_LETTER_KEYS[TYPE];
  const payload = contractExamples().find((e) => e.eventType === TYPE)!.payload['payload'];
  const n = 20_000;
  const fill = async (): Promise<void> => {
    await client.sendCommand(['DEL', dead, retryKey(EVENT_STREAM_KEYS[TYPE], 'g')]);
    for (let i = 0; i < n; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => {
        const e = createEnvelope(TYPE, payload as never, { producer: 'bench' });
        return client.sendCommand(['XADD', dead, '*', ...deadLetterFields({ id: `1-${i + j}`, fields: ['envelope', JSON.stringify(e)], deliveries: 5 }, { eventType: TYPE, group: 'g', reason: 'max-deliveries', errors: [] }).map(String)]);
      }));
    }
  };
  const rates: Record<'read' | 'redrive', number[]> = { read: [], redrive: [] };
  for (let round = 0; round < 3; round++) {
    await fill();
    let start = process.hrtime.bigint();
    let count = 0;
    for await (const _ of readDeadLetters(client, TYPE)) count++;
    rates.read.push(count / (Number(process.hrtime.bigint() - start) / 1e9));
    start = process.hrtime.bigint();
    count = 0;
    for await (const o of redriveDeadLetters(client, TYPE)) if (o.outcome === 'redriven') count++;
    rates.redrive.push(count / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  await client.close();
  await server.stop();
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const redrive = median(rates.redrive);
  return [{ measure: '`goodgo-events dlq redrive`: valid dead letters validated and moved back to their group, atomically each (20,000 per run)', figure: `${(redrive / 1000).toFixed(1)}k dead letters/s (reading them alone: ${(median(rates.read) / 1000).toFixed(1)}k/s)`, target: '≥ 10k/s', met: redrive >= 10_000 }];
}
