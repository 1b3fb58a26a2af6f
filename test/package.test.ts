// Tests the published artifact, not src/: packs the package as npm would publish it, installs the
// tarball into a fresh project, and uses it from ES modules, CommonJS and TypeScript.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../generated/event-types.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';

const work = mkdtempSync(path.join(tmpdir(), 'contracts-events-pack-'));
const project = path.join(work, 'consumer');
let tarball = '';

const run = (file: string, args: readonly string[], cwd: string): string =>
  execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const bin = (name: string): string => path.join(ROOT, 'node_modules', '.bin', name);

beforeAll(() => {
  // Compile dist/ afresh, as the prepack script does on publish (scripts would print into --json).
  run('npm', ['run', '--silent', 'compile'], ROOT);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as { filename: string }[];
  tarball = path.join(work, packed[0]!.filename);
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const PAYMENT = `{ paymentId: 'pay_1', orderId: 'ord_1', amount: 100, currency: 'VND', gateway: 'momo', method: 'e_wallet', completedAt: '2026-11-27T09:11:44.903Z' }`;

describe('the packed package', () => {
  it('imports from an ES module: builds, validates, and exposes schemas and asyncapi.yaml', () => {
    writeFileSync(path.join(project, 'esm.mjs'), `
      import { createEnvelope, validateEnvelope, parseEnvelope, EVENT_TYPES, uuidv7 } from '@goodgo/contracts-events';
      import envelopeSchema from '@goodgo/contracts-events/schemas/envelope.schema.json' with { type: 'json' };
      import { readFileSync } from 'node:fs';
      import { fileURLToPath } from 'node:url';
      const event = createEnvelope('payment.completed', ${PAYMENT}, { producer: 'api' });
      const yaml = readFileSync(fileURLToPath(import.meta.resolve('@goodgo/contracts-events/asyncapi.yaml')), 'utf8');
      console.log(JSON.stringify({
        types: EVENT_TYPES,
        ok: validateEnvelope(event, { mode: 'producer' }).ok,
        parsed: parseEnvelope(JSON.stringify(event)).eventId === event.eventId,
        bad: validateEnvelope({}).ok,
        schemaId: envelopeSchema.$id,
        yaml: yaml.startsWith('asyncapi: 3.0.0'),
        uuid: uuidv7().length,
      }));
    `);
    expect(JSON.parse(run(process.execPath, ['esm.mjs'], project))).toEqual({
      types: EVENT_TYPES,
      ok: true,
      parsed: true,
      bad: false,
      schemaId: 'https://schemas.goodgo.dev/contracts-events/envelope.schema.json',
      yaml: true,
      uuid: 36,
    });
  });

  it('requires from CommonJS (Node >= 20.19 loads the ES module synchronously), errors included', () => {
    writeFileSync(path.join(project, 'cjs.cjs'), `
      const { createEnvelope, EventValidationError } = require('@goodgo/contracts-events');
      const schema = require('@goodgo/contracts-events/schemas/payment.completed.schema.json');
      // The path before schemas/<type>.schema.json, kept in the exports map for existing importers.
      const old = require('@goodgo/contracts-events/schemas/payloads/payment.completed.schema.json');
      const event = createEnvelope('payment.completed', ${PAYMENT}, { producer: 'api' });
      let caught = '';
      try { createEnvelope('payment.completed', { ...event.payload, amount: 0 }, { producer: 'api' }); }
      catch (e) { caught = e instanceof EventValidationError ? e.errors[0].instancePath : 'wrong error'; }
      console.log(JSON.stringify({ type: event.eventType, title: schema.title, id: schema.$id, same: old === schema, caught }));
    `);
    const out = execFileSync(process.execPath, ['cjs.cjs'], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual({ type: 'payment.completed', title: 'PaymentCompletedPayload', id: 'https://schemas.goodgo.dev/contracts-events/payment.completed.schema.json', same: true, caught: '/payload/amount' });
  });

  it('works bundled by esbuild and run where no node_modules exist: every type\'s payload validator comes along, loaded on first use', () => {
    // One valid example of every type, and the same with a payload that breaks its schema.
    const examples = contractExamples().map((e) => e.payload);
    writeFileSync(path.join(project, 'bundled.mjs'), `
      import { validateEnvelope } from '@goodgo/contracts-events';
      const events = ${JSON.stringify(examples)};
      const verdicts = events.map((e) => [validateEnvelope(e, { mode: 'producer' }).ok, validateEnvelope({ ...e, payload: { unknownField: 1 } }, { mode: 'producer' }).ok]);
      console.log(JSON.stringify(verdicts));
    `);
    const deployed = path.join(work, 'deployed');
    execFileSync(bin('esbuild'), ['bundled.mjs', '--bundle', '--platform=node', '--format=esm', `--outfile=${path.join(deployed, 'consumer.mjs')}`, '--log-level=warning'], { cwd: project });
    const out = execFileSync(process.execPath, ['consumer.mjs'], { cwd: deployed, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out)).toEqual(examples.map(() => [true, false]));
  });

  it('type-checks a TypeScript consumer (NodeNext, strict) through the exports map', () => {
    writeFileSync(path.join(project, 'consumer.ts'), `
      import { createEnvelope, validateEnvelope, type KnownEvent, type PaymentCompletedPayload } from '@goodgo/contracts-events';
      const payload: PaymentCompletedPayload = ${PAYMENT};
      const event = createEnvelope('payment.completed', payload, { producer: 'api' });
      const amount: number = event.payload.amount;
      const r = validateEnvelope(JSON.parse('{}'));
      const handle = (e: KnownEvent): string => (e.eventType === 'kyc.verified' ? e.payload.level : e.eventType);
      if (r.ok && r.known) handle(r.event);
      // @ts-expect-error the payload type is checked
      createEnvelope('kyc.verified', payload, { producer: 'api' });
      export { amount };
    `);
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, exactOptionalPropertyTypes: true, noEmit: true, types: [], lib: ['ES2023'] },
      files: ['consumer.ts'],
    }));
    expect(() => run(bin('tsc'), ['-p', '.'], project)).not.toThrow();
  });

  it('ships no source, tests or node_modules, and has no runtime dependencies', () => {
    const listing = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean);
    const unwanted = listing.filter((f) => /^package\/(src|test|scripts|bench|generated|node_modules)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    expect(unwanted).toEqual([]);
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/types/src/index.d.ts');
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work)) as Record<string, unknown>;
    expect(manifest['dependencies']).toBeUndefined();
  });

  it('passes publint --strict and are-the-types-wrong (ESM-only profile)', () => {
    expect(() => run(bin('publint'), ['--strict', tarball], ROOT)).not.toThrow();
    expect(() => run(bin('attw'), [tarball, '--profile', 'esm-only', '--entrypoints', '.'], ROOT)).not.toThrow();
  });
});
