import { describe, expectTypeOf, it } from 'vitest';
import {
  createEnvelope,
  EVENT_TYPES,
  isEventType,
  validateEnvelope,
  type EventEnvelope,
  type EventOf,
  type EventPayloadMap,
  type EventType,
  type KnownEvent,
  type PaymentCompletedEvent,
  type PaymentCompletedPayload,
} from '../src/index.ts';

describe('types', () => {
  it('EventType is the union of the contract literals (EVENT_TYPES), not any string', () => {
    expectTypeOf<EventType>().toEqualTypeOf<(typeof EVENT_TYPES)[number]>();
    expectTypeOf<string>().not.toExtend<EventType>();
  });

  it('createEnvelope returns the event model of its type', () => {
    const event = createEnvelope('payment.completed', {} as PaymentCompletedPayload, { producer: 'api' });
    expectTypeOf(event).toEqualTypeOf<PaymentCompletedEvent>();
    expectTypeOf(event.eventType).toEqualTypeOf<'payment.completed'>();
    expectTypeOf(event.schemaVersion).toEqualTypeOf<1>();
    expectTypeOf(event.payload.amount).toEqualTypeOf<number>();
    expectTypeOf(event.payload.gateway).toEqualTypeOf<'stripe' | 'adyen' | 'paypal' | 'momo' | 'vnpay' | 'zalopay'>();
  });

  it('createEnvelope refuses a payload of another type and unknown event types', () => {
    // @ts-expect-error the payload of kyc.verified is not a payment payload
    createEnvelope('payment.completed', {} as EventPayloadMap['kyc.verified'], { producer: 'api' });
    // @ts-expect-error not an event type of the contract
    createEnvelope('fixture.never_defined', {}, { producer: 'api' });
    // @ts-expect-error producer is required
    createEnvelope('payment.completed', {} as PaymentCompletedPayload, {});
  });

  it('every event model is an EventEnvelope of its payload', () => {
    expectTypeOf<EventOf<'payment.completed'>>().toExtend<EventEnvelope<PaymentCompletedPayload>>();
    expectTypeOf<KnownEvent>().toExtend<EventEnvelope>();
  });

  it('a test of eventType narrows payload; every type\'s event has its own eventType', () => {
    const handle = (event: KnownEvent): string | number => {
      if (event.eventType === 'payment.completed') {
        expectTypeOf(event.payload).toEqualTypeOf<PaymentCompletedPayload>();
        return event.payload.amount;
      }
      if (event.eventType === 'kyc.verified') {
        expectTypeOf(event.payload.level).toEqualTypeOf<'basic' | 'standard' | 'enhanced'>();
        return event.payload.level;
      }
      expectTypeOf(event.eventType).toEqualTypeOf<Exclude<EventType, 'payment.completed' | 'kyc.verified'>>();
      return event.eventType;
    };
    expectTypeOf(handle).returns.toEqualTypeOf<string | number>();
    expectTypeOf<EventOf<EventType>['eventType']>().toEqualTypeOf<EventType>();
  });

  it('validateEnvelope narrows on ok and known', () => {
    const result = validateEnvelope(JSON.parse('{}'));
    if (!result.ok) {
      expectTypeOf(result.errors[0]!.instancePath).toEqualTypeOf<string>();
    } else if (result.known) {
      expectTypeOf(result.event).toEqualTypeOf<KnownEvent>();
    } else {
      expectTypeOf(result.event).toEqualTypeOf<EventEnvelope<Record<string, unknown>>>();
    }
  });

  it('isEventType is a type guard', () => {
    const value: unknown = 'payment.completed';
    if (isEventType(value)) expectTypeOf(value).toEqualTypeOf<EventType>();
  });
});
