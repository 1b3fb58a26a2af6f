// A TypeScript consumer in its own process, for the Redis tests. Records each handled event as a
// side effect in Redis (RPUSH effects:<group> <eventId>); with --hang-on N it prints HANGING when
// it enters the handler of its Nth event and then never returns (to be killed with SIGKILL).
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { consumeEvents, type EventType } from '../../src/index.ts';

const { values } = parseArgs({ options: { url: { type: 'string' }, group: { type: 'string' }, consumer: { type: 'string' }, types: { type: 'string' }, 'hang-on': { type: 'string' }, 'idle-ms': { type: 'string' } } });
const client = await createClient({ url: values.url! }).connect();
const hangOn = Number(values['hang-on'] ?? 0);
let n = 0;
const consumer = await consumeEvents({
  client,
  group: values.group!,
  consumer: values.consumer!,
  eventTypes: values.types!.split(',') as EventType[],
  blockMs: 200,
  idleTimeoutMs: Number(values['idle-ms'] ?? 1000),
  handler: async (event) => {
    n++;
    if (n === hangOn) {
      console.log('HANGING');
      await new Promise(() => undefined);
    }
    await client.sendCommand(['RPUSH', `effects:${values.group}`, event.eventId]);
  },
  onError: () => undefined,
});
process.on('SIGTERM', () => void consumer.stop().then(() => client.quit()).then(() => process.exit(0)));
console.log('READY');
