// "Adding an event type" as a new contributor follows it, in a scratch copy of the repository:
// new-event, fill in what check names, then generate, check, typecheck and the suites that take
// their event types from the contract. They must pass with no test edited: nothing lists the types.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/contract-examples.ts';
import { freshEventType } from './support/fresh-event-type.ts';
import { scratchCopy } from './support/grow-contract.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'contracts-events-new-type-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command in the scratch copy; fails the test with its output when it fails. */
const sh = (command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string => {
  const run = spawnSync(command, args, { cwd: options.cwd ?? dir, encoding: 'utf8', env: { ...process.env, ...options.env } });
  expect(run.status, `${command} ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
  return run.stdout;
};

/** What a contributor writes where new-event left placeholders: real text, two fields, a real example. */
function fillIn(name: string): void {
  const payloadFile = path.join(dir, 'schemas', `${name}.schema.json`);
  const payload = JSON.parse(readFileSync(payloadFile, 'utf8')) as Record<string, unknown>;
  payload['description'] = 'An order left the warehouse with a carrier.';
  payload['required'] = ['orderId', 'shippedAt'];
  payload['properties'] = {
    orderId: { description: 'The order that was shipped.', allOf: [{ $ref: './common.schema.json#/definitions/EntityId' }] },
    shippedAt: { description: 'When the carrier collected the parcel.', allOf: [{ $ref: './common.schema.json#/definitions/UtcTimestamp' }] },
  };
  writeFileSync(payloadFile, `${JSON.stringify(payload, null, 2)}\n`);
  const file = path.join(dir, 'asyncapi.yaml');
  const text = readFileSync(file, 'utf8')
    .replaceAll("'TODO: one line on what happened.'", 'An order left the warehouse.')
    .replace("'TODO: which service publishes it, and when.'", 'The orders service publishes it when a carrier collects a parcel.')
    .replace("'TODO: when it is published and what consumers do with it.'", 'Published once per parcel a carrier collects.')
    .replace("'TODO: a realistic example, once the payload has its fields.'", 'A parcel collected in the morning.')
    .replace('            payload: {}\n', "            payload:\n              orderId: ord_1\n              shippedAt: '2026-11-28T08:00:00.000Z'\n");
  writeFileSync(file, text);
}

describe('adding an event type', () => {
  it('new-event, fill in, then generate, check, typecheck and the contract-driven suites pass untouched', () => {
    scratchCopy(ROOT, dir);
    const name = freshEventType();
    const before = readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8');
    sh('npm', ['run', '--silent', 'new-event', '--', name, '--producer', 'orders-service']);
    const after = readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8');
    // Only added lines: every line of the document is still there, in order, as its authors wrote it.
    const lines = after.split('\n');
    let at = 0;
    const missing = before.split('\n').filter((line) => {
      while (at < lines.length && lines[at] !== line) at++;
      return at++ >= lines.length;
    });
    expect(missing).toEqual([]);
    expect(after).toMatch(/occurredAt: '\d{4}-\d{2}-\d{2}T/); // quoted: PyYAML would read a datetime

    fillIn(name);
    sh('npm', ['run', '--silent', 'generate']);
    expect(sh('npm', ['run', '--silent', 'check'])).toMatch(/the contract is clean/);
    sh('npm', ['run', '--silent', 'typecheck']);
    sh('npx', ['vitest', 'run', '--typecheck.enabled=false', 'test/contract.test.ts', 'test/validate.test.ts', 'test/vectors.test.ts', 'test/envelope.test.ts', 'test/generated.test.ts', 'test/docs-markdown.test.ts', 'test/cross-runtime.test.ts', 'test/binding-vectors.test.ts']);
    // The Python package of the copy, not this repository's editable install.
    const python = { env: { PYTHONPATH: path.join(dir, 'python', 'src') }, cwd: path.join(dir, 'python') };
    expect(sh('../.venv/bin/python', ['-c', 'import goodgo_contracts_events as g; print(g.__file__)'], python)).toContain(dir);
    sh('../.venv/bin/mypy', [], python);
    sh('../.venv/bin/pytest', ['-q', '-p', 'no:cacheprovider', 'tests/test_typing.py', 'tests/test_envelope.py', 'tests/test_models.py', 'tests/test_vectors.py', 'tests/test_binding_vectors.py'], python);
  }, 600_000);
});
