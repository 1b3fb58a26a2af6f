import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  EVENT_ENVELOPE_SCHEMA_VERSION,
  EventValidationError,
  isUuidV7,
  NO_TRACE_ID,
  uuidv7Timestamp,
  validateEnvelope,
  type EventPayloadMap,
} from '../src/index.ts';

const payment: EventPayloadMap['payment.completed'] = {
  paymentId: 'pay_01JDQ7ZK3M8V',
  orderId: 'ord_9f8e7d6c',
  amount: 1250000,
  currency: 'VND',
  gateway: 'stripe',
  method: 'card',
  completedAt: '2026-11-27T09:11:44.903Z',
};

describe('createEnvelope', () => {
  it('fills schemaVersion, eventId (UUIDv7), occurredAt (ms, Z) and the zero traceId', () => {
    const before = Date.now();
    const event = createEnvelope('payment.completed', payment, { producer: 'payments-service' });
    expect(event).toMatchObject({ schemaVersion: EVENT_ENVELOPE_SCHEMA_VERSION, eventType: 'payment.completed', producer: 'payments-service', traceId: NO_TRACE_ID, payload: payment });
    expect(isUuidV7(event.eventId)).toBe(true);
    expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const occurred = Date.parse(event.occurredAt);
    expect(occurred).toBeGreaterThanOrEqual(before);
    expect(Math.abs(uuidv7Timestamp(event.eventId) - occurred)).toBeLessThanOrEqual(50);
    expect(Object.keys(event)).toEqual(['schemaVersion', 'eventId', 'eventType', 'occurredAt', 'producer', 'traceId', 'payload']);
  });

  it('returns an event that validates in both modes', () => {
    const event = createEnvelope('payment.completed', payment, { producer: 'api' });
    expect(validateEnvelope(event, { mode: 'producer' })).toMatchObject({ ok: true, known: true });
    expect(validateEnvelope(JSON.parse(JSON.stringify(event)), { mode: 'consumer' })).toMatchObject({ ok: true, known: true });
  });

  it('takes traceId, occurredAt (Date or string) and eventId from the options', () => {
    const event = createEnvelope('payment.completed', payment, {
      producer: 'api',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      occurredAt: new Date(Date.UTC(2028, 1, 29, 12, 0, 0, 7)),
      eventId: '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46',
    });
    expect(event).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', occurredAt: '2028-02-29T12:00:00.007Z', eventId: '019ac5cf-3e21-7a9c-b5d0-7f3e2a1c9b46' });
    expect(createEnvelope('payment.completed', payment, { producer: 'api', occurredAt: '2026-01-01T00:00:00Z' }).occurredAt).toBe('2026-01-01T00:00:00Z');
  });

  it('treats explicit undefined options as absent', () => {
    const event = createEnvelope('payment.completed', payment, { producer: 'api', traceId: undefined, eventId: undefined, occurredAt: undefined });
    expect(event.traceId).toBe(NO_TRACE_ID);
  });

  it('throws EventValidationError for an invalid payload, with every error', () => {
    const bad = { ...payment, amount: 0, currency: 'vnd' };
    expect(() => createEnvelope('payment.completed', bad, { producer: 'api' })).toThrow(EventValidationError);
    try {
      createEnvelope('payment.completed', bad, { producer: 'api' });
    } catch (e) {
      expect((e as EventValidationError).errors.map((x) => x.instancePath)).toEqual(['/payload/amount', '/payload/currency']);
    }
  });

  it('throws for unknown payload fields: producers are closed', () => {
    const withExtra = { ...payment, riskScore: 0.1 } as EventPayloadMap['payment.completed'];
    expect(() => createEnvelope('payment.completed', withExtra, { producer: 'api' })).toThrow(/unknown property "riskScore"/);
  });

  it('throws for an unknown event type (a JavaScript caller, past the types)', () => {
    const call = (): unknown => createEnvelope('fixture.never_defined' as 'payment.completed', payment, { producer: 'api' });
    expect(call).toThrow(EventValidationError);
    expect(call).toThrow(/not in the contract/);
  });

  it('throws for a bad producer, traceId, eventId or occurredAt string', () => {
    expect(() => createEnvelope('payment.completed', payment, { producer: 'Payments Service' })).toThrow(/\/producer/);
    expect(() => createEnvelope('payment.completed', payment, { producer: 'api', traceId: 'abc' })).toThrow(/\/traceId/);
    expect(() => createEnvelope('payment.completed', payment, { producer: 'api', eventId: crypto.randomUUID() })).toThrow(/\/eventId/);
    expect(() => createEnvelope('payment.completed', payment, { producer: 'api', occurredAt: '2026-01-01T00:00:00+00:00' })).toThrow(/\/occurredAt/);
  });

  it('throws RangeError for an invalid Date and TypeError for missing options', () => {
    expect(() => createEnvelope('payment.completed', payment, { producer: 'api', occurredAt: new Date('nope') })).toThrow(RangeError);
    expect(() => createEnvelope('payment.completed', payment, undefined as never)).toThrow(TypeError);
  });
});
