// One consumer in its own process for the chaos suite (the TypeScript side; chaos_consumer.py is
// the Python side, same flags). Each handled event is a side effect in Redis: RPUSH
// effects:<group> <eventId>. Prints READY, and on SIGTERM stops, then prints its stats as JSON.
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { consumeEvents, type EventType } from '../../src/index.ts';

const { values } = parseArgs({ options: {
  url: { type: 'string' }, group: { type: 'string' }, consumer: { type: 'string' }, types: { type: 'string' },
  'handler-ms': { type: 'string', default: '0' }, 'idle-ms': { type: 'string', default: '1000' }, count: { type: 'string', default: '50' },
  concurrency: { type: 'string', default: '1' }, 'max-deliveries': { type: 'string', default: '5' },
  'hang-on': { type: 'string', default: '0' }, 'fail-trace': { type: 'string', default: '' },
} });
const client = createClient({ url: values.url! });
client.on('error', () => undefined); // reconnects by itself; the consumer reports what it sees
await client.connect();
const hangOn = Number(values['hang-on']);
let n = 0;
const errors: string[] = [];
const consumer = await consumeEvents({
  client, group: values.group!, consumer: values.consumer!, eventTypes: values.types!.split(',') as EventType[],
  blockMs: 100, idleTimeoutMs: Number(values['idle-ms']), count: Number(values.count), concurrency: Number(values.concurrency), maxDeliveries: Number(values['max-deliveries']),
  handler: async (event) => {
    if (values['fail-trace'] && event.traceId.startsWith(values['fail-trace'])) throw new Error('downstream refused it');
    if (Number(values['handler-ms']) > 0) await new Promise((r) => setTimeout(r, Number(values['handler-ms'])));
    await client.sendCommand(['RPUSH', `effects:${values.group}`, event.eventId]);
    if (++n === hangOn) {
      console.log('HANGING');
      await new Promise(() => undefined);
    }
  },
  onError: (e) => void errors.push(e instanceof Error ? e.message : String(e)),
});
process.on('SIGTERM', () => void consumer.stop().then(async () => {
  console.log(JSON.stringify({ ...consumer.stats, messages: errors.slice(-20) }));
  await client.close();
}));
console.log('READY');
