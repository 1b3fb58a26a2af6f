import path from 'node:path';
import { DiagnosticSeverity, fromFile, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { loadContract, type JsonObject } from '../scripts/lib/contract/load-contract.ts';
import { ROOT } from './support/contract-examples.ts';

const contract = await loadContract(ROOT);

describe('asyncapi.yaml', () => {
  it('gets zero errors and zero warnings from @asyncapi/parser', async () => {
    const parser = new Parser();
    const { diagnostics } = await fromFile(parser, path.join(ROOT, 'asyncapi.yaml')).parse();
    const serious = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
    expect(serious.map((d) => `${d.code} ${d.path.join('/')} ${d.message}`)).toEqual([]);
  });

  it('is AsyncAPI 3.0.0 (Modelina 5.10 emits `any` for 3.1.0 documents)', () => {
    expect(contract.document.version()).toBe('3.0.0');
  });

  it('has one channel, send operation and message per event type, on stream events:<eventType>', () => {
    const channels = Object.keys(contract.document.json().channels ?? {}).sort();
    expect(channels.length).toBeGreaterThan(0);
    expect(contract.eventTypes.map((t) => [t.eventType, t.streamKey])).toEqual(channels.map((c) => [c, `events:${c}`]));
    for (const channel of contract.document.channels()) {
      expect(channel.operations().all().map((o) => o.action()), channel.id()).toEqual(['send']);
      const messages = channel.messages().all();
      expect(messages.map((m) => m.name())).toEqual([channel.id()]);
      for (const m of messages) {
        expect(m.title() && m.summary() && m.description(), m.id()).toBeTruthy();
        expect(m.examples().length, m.id()).toBeGreaterThan(0);
      }
    }
  });
});

describe('schemas/', () => {
  it('are draft-07 with stable https $ids that mirror their paths', () => {
    for (const { file, schema } of contract.schemas) {
      expect(schema['$schema'], file).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema['$id'], file).toBe(`https://schemas.goodgo.dev/contracts-events/${file.slice('schemas/'.length)}`);
    }
  });

  // Titles, descriptions, $ref siblings and portable patterns are rules of npm run check
  // (scripts/lib/governance/lint-contract.ts), tested rule by rule in test/check.test.ts.

  it('serves one payload schema per type at schemas/<eventType>.schema.json, its $id its path', () => {
    // Python services load the directory: the envelope and one file per event type, as promised.
    for (const t of contract.eventTypes) {
      const file = contract.schemas.find((s) => s.schema['$id'] === t.payloadSchema.id)!.file;
      expect(file).toBe(`schemas/${t.eventType}.schema.json`);
    }
    for (const { file, schema } of contract.schemas) expect(schema['$id']).toBe(`https://schemas.goodgo.dev/contracts-events/${file.slice('schemas/'.length)}`);
  });

  it('per-type event schemas repeat the envelope property by property', () => {
    const envelope = contract.schemas.find((s) => s.file === 'schemas/envelope.schema.json')!.schema;
    const envelopeProps = Object.keys(envelope['properties'] as JsonObject);
    for (const t of contract.eventTypes) {
      const schema = contract.schemas.find((s) => s.file === `schemas/events/${t.eventType}.schema.json`)!.schema;
      expect(Object.keys(schema['properties'] as JsonObject), t.eventType).toEqual(envelopeProps);
      expect(schema['required'], t.eventType).toEqual(envelope['required']);
      expect(schema['additionalProperties'], t.eventType).toBe(false);
      const props = schema['properties'] as Record<string, JsonObject>;
      for (const key of ['schemaVersion', 'eventId', 'producer', 'traceId']) {
        expect(props[key], `${t.eventType} ${key}`).toEqual({ $ref: `../envelope.schema.json#/definitions/${key[0]!.toUpperCase()}${key.slice(1)}` });
      }
      expect(props['occurredAt'], t.eventType).toEqual({ $ref: '../common.schema.json#/definitions/UtcTimestamp' });
      expect(props['payload'], t.eventType).toEqual({ $ref: `../${t.eventType}.schema.json` });
    }
  });
});
