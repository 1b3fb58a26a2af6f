// CloudEvents 1.0 (structured JSON): every valid event of the shared vectors round-trips exactly
// through toCloudEvent/fromCloudEvent, and through the official JavaScript SDK (which rewrites
// `time` with toISOString(): equal as an instant, to its millisecond).
import { CloudEvent, HTTP } from 'cloudevents';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLOUD_EVENT_SOURCE_PREFIX, EVENT_PAYLOAD_SCHEMA_IDS, EventValidationError, fromCloudEvent, safeFromCloudEvent, toCloudEvent, type EventEnvelope } from '../src/index.ts';
import { loadVectors } from './support/vectors.ts';

const VALID = [...loadVectors().values()].flat().flatMap((g) => g.tests.filter((c) => c.valid).map((c) => ({ description: `${g.mode}: ${c.description}`, event: c.data as EventEnvelope<unknown> })));

/** Nanoseconds since the epoch of an RFC 3339 UTC time, truncated to `digits` fraction digits. */
function instant(time: string, digits: number): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  if (!m) throw new Error(`not a UTC time: ${time}`);
  const fraction = (m[2] ?? '').padEnd(9, '0').slice(0, digits).padEnd(9, '0');
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt(fraction);
}

describe('toCloudEvent / fromCloudEvent', () => {
  it('covers every valid event of the shared vectors', () => expect(VALID.length).toBeGreaterThanOrEqual(50));

  it.each(VALID)('round-trips exactly: $description', ({ event }) => {
    const ce = toCloudEvent(event);
    expect(ce).toMatchObject({ specversion: '1.0', id: event.eventId, type: event.eventType, time: event.occurredAt, source: `${CLOUD_EVENT_SOURCE_PREFIX}${event.producer}`, traceid: event.traceId, schemaversion: 1, data: event.payload });
    expect(fromCloudEvent(ce)).toEqual(event);
    // Through JSON text, as it travels, and back again: the same CloudEvent.
    const text = JSON.stringify(ce);
    expect(toCloudEvent(fromCloudEvent(JSON.parse(text)))).toEqual(JSON.parse(text));
  });

  it.each(VALID)('goes through the official SDK (structured mode over HTTP): $description', ({ event }) => {
    const sdk = new CloudEvent(toCloudEvent(event) as never); // strict: the SDK validates the attributes
    const message = HTTP.structured(sdk);
    expect(message.headers['content-type']).toContain('application/cloudevents+json');
    const received = HTTP.toEvent(message) as CloudEvent<unknown>;
    const back = fromCloudEvent(JSON.parse(JSON.stringify(received)));
    const { occurredAt, ...rest } = back;
    const { occurredAt: sent, ...expected } = event;
    expect(rest).toEqual(expected);
    expect(instant(occurredAt, 3)).toBe(instant(sent, 3));
  });

  it('names the payload schema in dataschema, and leaves it out for a type the contract does not know', () => {
    const known = VALID.find((v) => v.event.eventType === 'payment.completed')!.event;
    expect(toCloudEvent(known).dataschema).toBe(EVENT_PAYLOAD_SCHEMA_IDS['payment.completed']);
    const unknown = VALID.find((v) => !(v.event.eventType in EVENT_PAYLOAD_SCHEMA_IDS))!.event;
    expect(toCloudEvent(unknown)).not.toHaveProperty('dataschema');
  });
});

describe('bad CloudEvents', () => {
  const good = toCloudEvent(VALID.find((v) => v.event.eventType === 'payment.completed')!.event);
  const errorsOf = (ce: unknown, mode: 'producer' | 'consumer' = 'consumer'): string[] => {
    const r = safeFromCloudEvent(ce, { mode, lifecycle: 'enforce-all' });
    return r.ok ? [] : r.errors.map((e) => `${e.instancePath} ${e.message}`);
  };

  it.each([
    ['not an object', 'payment.completed', [' must be a CloudEvent: a JSON object (structured JSON format)']],
    ['another specversion', { ...good, specversion: '0.3' }, ['/specversion must be "1.0" (CloudEvents 1.0), not "0.3"']],
    ['binary data', { ...good, data_base64: 'AAAA' }, ['/data_base64 binary data is not an event payload: send the payload as JSON in data']],
    ['XML data', { ...good, datacontenttype: 'application/xml' }, ['/datacontenttype must be application/json, not "application/xml": the data is the event\'s JSON payload']],
    ['a foreign source', { ...good, source: 'https://example.com/x' }, ['/source must be urn:goodgo:producer:<producer>, not "https://example.com/x"']],
    ['the wrong dataschema', { ...good, dataschema: 'https://example.com/s.json' }, [`/dataschema must be the payload schema of payment.completed, ${EVENT_PAYLOAD_SCHEMA_IDS['payment.completed']}, not "https://example.com/s.json"`]],
    ['no id', Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'id')), [" must have required attribute 'id'"]],
    ['a time with an offset', { ...good, time: '2026-11-27T14:03:21+07:00' }, ['/time must be a valid UtcTimestamp, e.g. "2026-11-27T14:03:21.123Z"']],
    ['a payload that fails its schema', { ...good, data: { ...good.data, amount: 0 } }, ['/data/amount must be >= 1']],
  ])('refuses %s, naming the attribute', (_, ce, expected) => {
    expect(errorsOf(ce)).toEqual(expected);
    expect(() => fromCloudEvent(ce, { lifecycle: 'enforce-all' })).toThrow(EventValidationError);
  });

  it('takes a foreign extension attribute in consumer mode and refuses it in producer mode', () => {
    expect(errorsOf({ ...good, partitionkey: 'x' })).toEqual([]);
    expect(errorsOf({ ...good, partitionkey: 'x' }, 'producer')).toEqual(['/partitionkey is an attribute the envelope has no place for (producer mode)']);
  });

  it('never throws, whatever it is given (property test)', () => {
    const attribute = fc.oneof(fc.constantFrom(...Object.keys(good)), fc.string());
    fc.assert(fc.property(fc.oneof(fc.anything(), fc.dictionary(attribute, fc.anything())), fc.constantFrom('producer' as const, 'consumer' as const), (ce, mode) => {
      const r = safeFromCloudEvent(ce, { mode });
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 2000 });
  });

  it('toCloudEvent refuses an invalid event with the envelope\'s errors', () => {
    expect(() => toCloudEvent({ ...(VALID[0]!.event), eventId: 'nope' })).toThrow(/\/eventId/);
  });
});
