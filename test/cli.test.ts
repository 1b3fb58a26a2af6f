import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents, UnusableInputError } from '../src/read-events.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';

const work = mkdtempSync(path.join(tmpdir(), 'cli-'));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const event = contractExamples().find((e) => e.eventType === 'payment.completed')!.payload;

beforeAll(() => {
  // The command is tested as shipped: the bundled dist/cli.js.
  const built = spawnSync('npm', ['run', '--silent', 'compile'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(built.stderr);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};
const cli = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
const read = async (text: string, chunk = 1): Promise<{ line: number; text: string }[]> => {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += chunk) chunks.push(text.slice(i, i + chunk));
  const out: { line: number; text: string }[] = [];
  for await (const e of readEvents(Readable.from(chunks))) out.push({ line: e.line, text: typeof e.text === 'string' ? e.text : Buffer.from(e.text).toString('utf8') });
  return out;
};

describe('readEvents', () => {
  it('splits an array element by element, whatever the chunk boundaries, with brackets and quotes in strings', async () => {
    const tricky = { ...event, payload: { ...(event['payload'] as object), gatewayReference: 'a]b}c,d"e\\\\f[{' } };
    const text = `[\n  ${JSON.stringify(event)},\n  ${JSON.stringify(tricky)}\n]\n`;
    for (const chunk of [1, 7, 4096]) {
      const events = await read(text, chunk);
      expect(events.map((e) => e.line)).toEqual([2, 3]);
      expect(events.map((e) => JSON.parse(e.text))).toEqual([event, tricky]);
    }
  });

  it('reads NDJSON line by line, blank lines skipped, bad lines kept for the validator', async () => {
    const events = await read(`${JSON.stringify(event)}\n\n{oops\n${JSON.stringify(event)}\r\n`, 5);
    expect(events.map((e) => [e.line, e.text.slice(0, 5)])).toEqual([[1, '{"sch'], [3, '{oops'], [4, '{"sch']]);
  });

  it('reads one pretty-printed document as one event', async () => {
    const events = await read(JSON.stringify(event, null, 2));
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.text)).toEqual(event);
  });

  it('refuses input that is not JSON, and a truncated array, as unusable', async () => {
    await expect(read('hello')).rejects.toThrow(UnusableInputError);
    await expect(read(`[${JSON.stringify(event)},`)).rejects.toThrow(/not closed/);
    await expect(read(`[]\nx`)).rejects.toThrow(/after the closing/);
  });
});

describe('goodgo-events validate', () => {
  it('exits 0 when every event is valid', () => {
    const run = cli(['validate', file('ok.ndjson', `${JSON.stringify(event)}\n${JSON.stringify(event)}\n`)]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/2 event\(s\), 0 invalid \(consumer mode\)/);
  });

  it('prints each invalid event with its line, instancePath and message, and exits 1', () => {
    const p = file('bad.ndjson', [JSON.stringify(event), JSON.stringify({ ...event, traceId: 'X' }), 'not json'].join('\n'));
    const run = cli(['validate', p]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      `${p}:2: invalid /traceId must be a valid TraceId, e.g. "4bf92f3577b34da6a3ce929d0e0e4736"\n` +
        `${p}:3: invalid (root) is not valid JSON: Unexpected token 'o', "not json" is not valid JSON\n`,
    );
  });

  it('applies --mode producer and --lifecycle, and reports warnings without failing', () => {
    const p = file('modes.ndjson', JSON.stringify({ ...event, payload: { ...(event['payload'] as object), amount: 0 } }));
    const consumer = cli(['validate', p]);
    expect(consumer.status).toBe(0);
    expect(consumer.stdout).toContain(':1: warning /payload/amount must be >= 1');
    expect(cli(['validate', p, '--mode', 'producer']).status).toBe(1);
    expect(cli(['validate', p, '--lifecycle', 'enforce-all']).status).toBe(1);
  });

  it('writes one JSON object per invalid event with --json', () => {
    const run = cli(['validate', '-', '--json'], JSON.stringify([{ ...event, producer: 'Bad' }]));
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ file: '<stdin>', line: 1, errors: [{ instancePath: '/producer', keyword: 'pattern' }] });
  });

  it('exits 2 with the file and line for unusable input, never a stack trace', () => {
    for (const [args, input, message] of [
      [['validate', path.join(work, 'missing.json')], undefined, 'no such file'],
      [['validate', '-'], 'hello', '<stdin>:1: not JSON'],
      [['validate', '--mode', 'strict', '-'], '{}', '--mode must be producer or consumer'],
      [['validate', '--bogus'], '{}', "Unknown option '--bogus'"],
    ] as const) {
      const run = cli([...args], input);
      expect(run.status, message).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('has --help for every command, and no colour when not on a terminal', () => {
    for (const command of ['validate', 'check', 'compat', 'new']) {
      const run = cli([command, '--help']);
      expect(run.status, command).toBe(0);
      expect(run.stdout).toContain(`goodgo-events ${command}`);
    }
    expect(cli(['validate', '-'], JSON.stringify({ ...event, traceId: 'X' })).stdout).not.toContain('\u001b[');
  });
});

describe('goodgo-events validate: the loose ends of issue 11, each a test', () => {
  const line = JSON.stringify(event);

  it('reports a line that is not UTF-8 as invalid (it used to pass as "0 invalid")', () => {
    const p = path.join(work, 'bad-utf8.ndjson');
    writeFileSync(p, Buffer.concat([Buffer.from(`${line}\n`), Buffer.from([0xff, 0xfe, 0x7b, 0x0a]), Buffer.from(`${line}\n`)]));
    const run = cli(['validate', p]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`${p}:2: invalid (root) is not valid UTF-8\n`);
    expect(run.stderr).toContain('3 event(s), 1 invalid');
  });

  it('stops quietly when the reader goes away (validate ... | head -1), no EPIPE stack trace', () => {
    const p = file('many-bad.ndjson', `${JSON.stringify({ ...event, traceId: 'X' })}\n`.repeat(5000));
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" validate "${p}" | head -1`], { encoding: 'utf8' });
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/EPIPE|^\s+at /m);
    expect(run.status).toBe(0);
  });

  it('reports a line over the size bound without reading it whole (tested with a lowered bound)', () => {
    const huge = JSON.stringify({ ...event, padding: 'x'.repeat(5000) });
    const p = file('huge.ndjson', `${line}\n${huge}\n${line}\n`);
    const run = cli(['validate', p, '--max-event-bytes', '1000']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`${p}:2: invalid (root) is ${Buffer.byteLength(huge)} bytes, more than 1000 (x-event-limits.maxEventBytes); skipped without reading it whole\n`);
    expect(run.stderr).toContain('3 event(s), 1 invalid');
    expect(cli(['validate', p, '--max-event-bytes', '0']).status).toBe(2);
  });

  it('skips a UTF-8 byte-order mark, as the library does', () => {
    const p = path.join(work, 'bom.ndjson');
    writeFileSync(p, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${line}\n`)]));
    const run = cli(['validate', p]);
    expect(run.status, run.stdout).toBe(0);
    expect(run.stderr).toContain('1 event(s), 0 invalid');
  });

  it('keeps reading NDJSON after a broken first line (it used to swallow the file as one document)', () => {
    const run = cli(['validate', '-'], `{oops\n${line}\n${line}\n${line}\n`);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('4 event(s), 1 invalid');
  });

  it('writes warnings too with --json, and counts events of types the contract does not know', () => {
    const warned = { ...event, payload: { ...(event['payload'] as object), amount: -1 } };
    const unknown = { ...event, eventType: 'test.never_defined', payload: {} };
    const run = cli(['validate', '-', '--json'], `${JSON.stringify(warned)}\n${JSON.stringify(unknown)}\n`);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ line: 1, warnings: [{ instancePath: '/payload/amount', keyword: 'minimum' }] });
    expect(run.stderr).toContain('2 event(s), 0 invalid, 1 with warnings, 1 of types the contract does not know');
  });

  it('says its version', () => {
    const run = cli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('goodgo-events check, compat and new', () => {
  it('run the repository scripts', () => {
    const run = cli(['check']);
    expect(run.status, run.stderr).toBe(0);
    expect(cli(['compat', '--base', 'HEAD']).status).toBe(0);
    const bad = cli(['new', 'order.ship']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"ship" is not a past-tense verb');
  });
});
