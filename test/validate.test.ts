import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, EventValidationError, parseEnvelope, safeParseEnvelope, validateEnvelope, type ValidationMode } from '../src/index.ts';
import { contractExamples } from './support/contract-examples.ts';

const MODES: readonly ValidationMode[] = ['producer', 'consumer'];
const EXAMPLES = contractExamples();
const example = EXAMPLES.find((e) => e.eventType === 'payment.completed')!.payload;

describe('message examples of asyncapi.yaml', () => {
  it('has at least one example per event type', () => {
    expect(new Set(EXAMPLES.map((e) => e.eventType))).toEqual(new Set(EVENT_TYPES));
  });
  for (const e of EXAMPLES) {
    for (const mode of MODES) {
      it(`${e.eventType} "${e.name}" is valid and known in ${mode} mode`, () => {
        const result = validateEnvelope(e.payload, { mode });
        expect(result).toMatchObject({ ok: true, known: true, event: e.payload });
      });
    }
  }
});

describe('validateEnvelope', () => {
  it('defaults to consumer mode', () => {
    const unknown = { ...example, eventType: 'fixture.never_defined', payload: {} };
    expect(validateEnvelope(unknown)).toMatchObject({ ok: true, known: false });
    expect(validateEnvelope(unknown, { mode: 'producer' }).ok).toBe(false);
  });

  it('returns the input itself as the event, not a copy', () => {
    const result = validateEnvelope(example);
    expect(result.ok && result.event).toBe(example);
  });

  it('reports every problem, each as data with a specific message', () => {
    const bad = { ...example, traceId: 'X', payload: { ...(example['payload'] as object), amount: 0, gateway: 'cash', extra: true } };
    const result = validateEnvelope(bad, { mode: 'producer' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.instancePath, e.keyword])).toEqual([
      ['/traceId', 'pattern'],
      ['/payload', 'additionalProperties'],
      ['/payload/amount', 'minimum'],
      ['/payload/gateway', 'enum'],
    ]);
    expect(result.errors.map((e) => e.message)).toEqual([
      'must be a valid TraceId, e.g. "4bf92f3577b34da6a3ce929d0e0e4736"',
      'has unknown property "extra" (producer mode accepts only declared fields)',
      'must be >= 1',
      'must be one of "stripe", "adyen", "paypal", "momo", "vnpay", "zalopay"',
    ]);
  });

  it('reports a bad mode as an error instead of throwing', () => {
    const result = validateEnvelope(example, { mode: 'strict' as ValidationMode });
    expect(result).toMatchObject({ ok: false, errors: [{ keyword: 'mode' }] });
  });

  it('never throws on hostile input: throwing getters, Proxies, cycles, symbols, BigInt', () => {
    const throwing = Object.defineProperty({ ...example }, 'eventId', { get: () => { throw new Error('boom'); }, enumerable: true });
    const proxy = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
    const cyclic: Record<string, unknown> = { ...example };
    cyclic['payload'] = cyclic;
    const inputs: unknown[] = [throwing, proxy, cyclic, Symbol('x'), 10n, () => 1, new Date(), Object.create(null), new Map()];
    for (const input of inputs) {
      for (const mode of MODES) {
        expect(() => validateEnvelope(input, { mode })).not.toThrow();
        // Held to the schemas: under x-lifecycle a consumer may accept the cyclic payload unchecked.
        expect(validateEnvelope(input, { mode, lifecycle: 'enforce-all' }).ok).toBe(false);
      }
    }
    expect(validateEnvelope(throwing)).toMatchObject({ ok: false, errors: [{ keyword: 'exception', message: 'could not be read: boom' }] });
  });

  it('never throws and never accepts arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...MODES), (value, mode) => {
        const result = validateEnvelope(value, { mode });
        return result.ok === false && result.errors.length > 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on envelopes with any field replaced by arbitrary JSON (property)', () => {
    const keys = Object.keys(example);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), fc.constantFrom(...MODES), (key, value, mode) => {
        const result = validateEnvelope({ ...example, [key]: value }, { mode });
        // Replacing a field can only keep the event valid if the new value is itself valid.
        return result.ok ? validateEnvelope(example, { mode }).ok : result.errors.length > 0;
      }),
      { numRuns: 2000 },
    );
  });

  it('treats __proto__ and constructor keys from JSON as plain unknown fields', () => {
    const text = JSON.stringify(example).replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":1},');
    const result = safeParseEnvelope(text, { mode: 'producer' });
    expect(result).toMatchObject({ ok: false });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(safeParseEnvelope(text, { mode: 'consumer' }).ok).toBe(true);
  });
});

describe('safeParseEnvelope and parseEnvelope', () => {
  const text = JSON.stringify(example);

  it('accept a string, a Buffer and a Uint8Array of UTF-8', () => {
    for (const raw of [text, Buffer.from(text), new TextEncoder().encode(text)]) {
      expect(safeParseEnvelope(raw)).toMatchObject({ ok: true, known: true, event: example });
      expect(parseEnvelope(raw)).toEqual(example);
    }
  });

  it('accept a UTF-8 byte order mark in bytes', () => {
    expect(safeParseEnvelope(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).ok).toBe(true);
  });

  it('report invalid JSON with keyword json, never a SyntaxError', () => {
    const result = safeParseEnvelope('{"schemaVersion": 1,');
    expect(result).toMatchObject({ ok: false, errors: [{ instancePath: '', keyword: 'json' }] });
    expect(() => parseEnvelope('{')).toThrow(EventValidationError);
  });

  it('report invalid UTF-8 with keyword encoding instead of replacing bytes silently', () => {
    const bytes = Buffer.from(text.replace('payments-service', 'payments-servic\u00e9'));
    bytes[bytes.indexOf(0xc3)] = 0xff;
    expect(safeParseEnvelope(bytes)).toMatchObject({ ok: false, errors: [{ keyword: 'encoding' }] });
  });

  it('report a wrong input type', () => {
    expect(safeParseEnvelope(42 as unknown as string)).toMatchObject({ ok: false, errors: [{ keyword: 'type', message: 'must be a string, Buffer or Uint8Array, got number' }] });
  });

  it('parseEnvelope throws EventValidationError carrying the same errors as safeParseEnvelope', () => {
    const bad = JSON.stringify({ ...example, eventId: 'nope' });
    const expected = safeParseEnvelope(bad);
    try {
      parseEnvelope(bad);
      expect.unreachable('parseEnvelope should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(EventValidationError);
      expect(e).toBeInstanceOf(Error);
      const error = e as EventValidationError;
      expect(expected.ok).toBe(false);
      expect(error.errors).toEqual(!expected.ok && expected.errors);
      expect(error.message).toBe('invalid event: /eventId must be a valid EventId, e.g. "019abc3e-5f2a-7c41-8d3e-2b6f9a0c1d4e"');
    }
  });

  it('never throws on arbitrary strings (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => safeParseEnvelope(s).ok === false));
  });
});
