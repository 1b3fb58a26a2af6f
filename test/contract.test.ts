import path from 'node:path';
import { DiagnosticSeverity, fromFile, Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { loadContract, type JsonObject } from '../scripts/lib/load-contract.ts';
import { ROOT } from './support/contract-examples.ts';

const contract = await loadContract(ROOT);

/** Every subschema of a schema file with its JSON pointer. */
function* walk(node: unknown, pointer = ''): Generator<[string, JsonObject]> {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* walk(v, `${pointer}/${i}`);
  } else if (typeof node === 'object' && node !== null) {
    const obj = node as JsonObject;
    yield [pointer, obj];
    for (const [k, v] of Object.entries(obj)) if (k !== 'examples' && k !== 'enum' && k !== 'const') yield* walk(v, `${pointer}/${k}`);
  }
}

const subschemas = contract.schemas.flatMap((s) => [...walk(s.schema)].map(([pointer, node]) => ({ at: `${s.file}#${pointer}`, node })));

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
    expect(contract.eventTypes.map((t) => [t.eventType, t.streamKey])).toEqual([
      ['kyc.verified', 'events:kyc.verified'],
      ['listing.approved', 'events:listing.approved'],
      ['payment.completed', 'events:payment.completed'],
    ]);
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

  it('give every object and enum a title, so generated names read well', () => {
    const untitled = subschemas.filter(({ at, node }) => (node['type'] === 'object' || 'enum' in node) && typeof node['title'] !== 'string');
    expect(untitled.map((s) => s.at)).toEqual([]);
  });

  it('describe every property and definition', () => {
    const missing = subschemas.filter(({ at, node }) => /\/(properties|definitions)\/[^/]+$/.test(at) && typeof node['description'] !== 'string' && !('$ref' in node));
    expect(missing.map((s) => s.at)).toEqual([]);
  });

  it('put nothing beside a $ref (draft-07 ignores $ref siblings; Python and JavaScript would disagree)', () => {
    const withSiblings = subschemas.filter(({ node }) => '$ref' in node && Object.keys(node).length > 1);
    expect(withSiblings.map((s) => s.at)).toEqual([]);
  });

  it('use only portable patterns: ASCII classes, no inline flags or named groups, anchored ^...$(?!\\n)', () => {
    const patterns = subschemas.filter(({ node }) => typeof node['pattern'] === 'string').map(({ at, node }) => ({ at, pattern: node['pattern'] as string }));
    expect(patterns.length).toBeGreaterThan(5);
    for (const { at, pattern } of patterns) {
      expect(pattern, at).toMatch(/^\^.*\$\(\?!\\n\)$/);
      expect(pattern, at).not.toMatch(/\\[dDwWsSbBpPAZz]|\(\?[a-zA-Z]|\(\?P?<[a-zA-Z]/);
      expect(() => new RegExp(pattern, 'u'), at).not.toThrow();
    }
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
      expect(props['payload'], t.eventType).toEqual({ $ref: `../payloads/${t.eventType}.schema.json` });
    }
  });
});
