// Producers send exactly what they validated (issue 9): no Redis is needed to refuse an event, and
// a Redis that is down gives a PublishError that says what happened and what to do.
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { consumeEvents, createEnvelope, EVENT_TYPES, EventValidationError, publishEvent, publishEvents, PublishError, uuidv7Timestamp, type EventEnvelope, type RedisClientLike } from '../src/index.ts';
import { contractExamples } from './support/contract-examples.ts';
import { freePort } from './support/redis-server.ts';

const TYPE = EVENT_TYPES[0];
const valid = (): EventEnvelope => createEnvelope(TYPE, contractExamples().find((e) => e.eventType === TYPE)!.payload['payload'] as never, { producer: 'api' });
/** A client whose every command would fail the test: refusals must happen before any command. */
const untouchable = { sendCommand: () => Promise.reject(new Error('a command was sent')), duplicate: () => untouchable, connect: () => Promise.resolve() } as unknown as RedisClientLike;
const refusal = async (promise: Promise<unknown>): Promise<EventValidationError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EventValidationError);
  return error as EventValidationError;
};

describe('publishEvent sends the bytes it validated', () => {
  it('refuses an object whose fields sit on its prototype (JSON.stringify would write {})', async () => {
    const error = await refusal(publishEvent(untouchable, Object.create(valid()) as EventEnvelope));
    expect(error.errors[0]).toMatchObject({ keyword: 'required' });
  });

  it('refuses an object whose toJSON writes something else than what was checked', async () => {
    const tricky = { ...valid(), toJSON: () => ({ hello: 'world' }) } as EventEnvelope;
    await refusal(publishEvent(untouchable, tricky));
  });

  it('refuses a lone surrogate, which is not Unicode text and cannot be sent as UTF-8', async () => {
    const error = await refusal(publishEvent(untouchable, { ...valid(), producer: 'api\ud800' } as EventEnvelope));
    expect(error.errors[0]).toMatchObject({ keyword: 'encoding', message: expect.stringContaining('lone surrogate (\\ud800)') });
  });

  it('sends a valid event as the very JSON text it validated', async () => {
    const sent: string[][] = [];
    const recording = { ...untouchable, sendCommand: (args: string[]) => (sent.push(args), Promise.resolve('1-0')) } as unknown as RedisClientLike;
    const e = valid();
    await publishEvent(recording, e);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.slice(0, 4)).toEqual(['XADD', `events:${TYPE}`, '*', 'envelope']);
    expect(sent[0]![4]).toBe(JSON.stringify(e));
  });

  it('names the index of each refused event in a batch, and sends none', async () => {
    const error = await refusal(publishEvents(untouchable, [valid(), Object.create(valid()) as EventEnvelope]));
    expect(error.errors.every((e) => e.instancePath.startsWith('/1'))).toBe(true);
  });
});

describe('publishing to a Redis that is down', () => {
  it('rejects with a PublishError that says what happened and that publishing again is safe', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${await freePort()}`, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    const error = await publishEvent(client, valid()).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).message).toMatch(/could not publish 1 event\(s\) to events:.*: .+\. Redis did not answer .*publish the same event again/);
    expect((error as PublishError).cause).toBeInstanceOf(Error);
  });
});

describe('consumeEvents refuses bad options before touching Redis', () => {
  it.each([
    [{ eventTypes: ['test.never_defined'] }, TypeError, /test\.never_defined.*not in the contract/],
    [{ eventTypes: [] }, TypeError, /eventTypes is empty/],
    [{ group: '' }, TypeError, /group must be a non-empty string/],
    [{ concurrency: 0 }, RangeError, /concurrency must be a positive integer, got 0/],
    [{ idleTimeoutMs: 1.5 }, RangeError, /idleTimeoutMs must be a positive integer/],
  ])('%o', async (override, kind, message) => {
    const options = { client: untouchable, group: 'g', consumer: 'c', eventTypes: [TYPE], handler: () => undefined, ...override };
    await expect(consumeEvents(options as never)).rejects.toThrow(kind);
    await expect(consumeEvents(options as never)).rejects.toThrow(message);
  });
});

describe('uuidv7Timestamp', () => {
  it('gives the TSDoc example its real value (issue 9 found the example wrong)', () => {
    expect(uuidv7Timestamp('019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46')).toBe(1764255284769);
  });
});
