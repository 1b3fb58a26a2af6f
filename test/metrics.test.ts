// The TypeScript consumer's OpenTelemetry metrics (issue 11), read back through the SDK's
// in-memory exporter: handled, failed, dead-lettered by reason, duplicates and handler duration,
// labelled by event type and group. The event type comes from the contract.
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSUMER_METRICS, consumeEvents, createEnvelope, EVENT_DEAD_LETTER_KEYS, EVENT_STREAM_KEYS, EVENT_TYPES, publishEvents } from '../src/index.ts';
import { contractExamples } from './support/contract-examples.ts';
import { RedisServer } from './support/redis-server.ts';

const TYPE = EVENT_TYPES[0];
const servers: RedisServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.stop())));

describe('consumer metrics', () => {
  it('counts handled, failed, dead-lettered (by reason) and duplicates, and times handlers, by event type and group', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const s = await RedisServer.start();
    servers.push(s);
    const client = (await createClient({ url: s.url }).connect()) as RedisClientType;
    const payload = contractExamples().find((e) => e.eventType === TYPE)!.payload['payload'];
    const ok = createEnvelope(TYPE, payload as never, { producer: 'metrics' });
    const failing = createEnvelope(TYPE, payload as never, { producer: 'metrics', traceId: 'dead'.padEnd(32, '0') });
    await publishEvents(client, [ok, ok, failing]);
    await client.sendCommand(['XADD', EVENT_STREAM_KEYS[TYPE], '*', 'envelope', '{nope']);
    const consumer = await consumeEvents({ client, group: 'g', consumer: 'c', eventTypes: [TYPE], blockMs: 50, maxDeliveries: 1, onError: () => undefined,
      handler: (e) => { if (e.traceId.startsWith('dead')) throw new TypeError('downstream is down'); } });
    const deadline = Date.now() + 20_000;
    while (Number(await client.sendCommand(['XLEN', EVENT_DEAD_LETTER_KEYS[TYPE]])) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.stop();
    await reader.forceFlush();
    const points = new Map<string, DataPoint<unknown>[]>();
    for (const rm of exporter.getMetrics()) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) points.set(m.descriptor.name, [...(points.get(m.descriptor.name) ?? []), ...(m.dataPoints as DataPoint<unknown>[])]);
    const total = (name: string, attributes: Record<string, string> = {}): number =>
      (points.get(name) ?? []).filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v)).reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : (p.value as { count: number }).count), 0);
    const group = { 'messaging.consumer.group.name': 'g', 'goodgo.event_type': TYPE, 'messaging.destination.name': EVENT_STREAM_KEYS[TYPE] };
    expect(total(CONSUMER_METRICS.handled, group)).toBe(1);
    expect(total(CONSUMER_METRICS.failed, group)).toBe(1);
    expect(total(CONSUMER_METRICS.duplicates, group)).toBe(1);
    expect(total(CONSUMER_METRICS.consumed, group)).toBe(4);
    expect(total(CONSUMER_METRICS.deadLettered, { 'goodgo.dead_letter.reason': 'invalid' })).toBe(1);
    expect(total(CONSUMER_METRICS.deadLettered, { 'goodgo.dead_letter.reason': 'max-deliveries' })).toBe(1);
    expect(total(CONSUMER_METRICS.processDuration, group)).toBe(2);
    expect(total(CONSUMER_METRICS.processDuration, { 'error.type': 'TypeError' })).toBe(1);
    await client.close();
    await provider.shutdown();
    metrics.disable();
  }, 60_000);
});
