// Every README snippet tagged <!-- snippet: NAME --> is run here as written: TypeScript ones
// type-checked by tsc in strict mode (and the project's stricter flags) and run with tsx, Python
// ones checked by mypy --strict and run with the venv's Python, against a real redis-server that
// is restarted under them and a SIGTERM at the end: a snippet must survive both and exit cleanly.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, publishEvent, type KnownEvent } from '../src/index.ts';
import { venvPython } from '../scripts/lib/render/render-python.ts';
import { contractExamples, ROOT } from './support/contract-examples.ts';
import { RedisServer } from './support/redis-server.ts';

/** The tagged snippets that print, each print's expected line in its trailing comment. */
const PRINTING = ['ts-versions', 'ts-cloudevents', 'py-cloudevents'];

/** The tagged snippets of README.md: name -> language and code. */
function snippets(): Map<string, { lang: string; code: string }> {
  const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const found = new Map<string, { lang: string; code: string }>();
  for (const m of text.matchAll(/<!-- snippet: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g)) found.set(m[1]!, { lang: m[2]!, code: m[3]! });
  return found;
}

const work = mkdtempSync(path.join(tmpdir(), 'snippets-'));
const children: ChildProcess[] = [];
let server: RedisServer;
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeAll(async () => {
  server = await RedisServer.start({ aof: true });
  // The snippets import the package by name: resolved to this repository's source, as tsx and tsc read tsconfig paths.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true,
      noImplicitOverride: true, verbatimModuleSyntax: true, isolatedModules: true, skipLibCheck: true, noEmit: true, allowImportingTsExtensions: true,
      types: ['node'], lib: ['ES2023'], paths: { '@goodgo/contracts-events': [path.join(ROOT, 'src', 'index.ts')] },
    },
    include: ['*.ts'],
  }));
});

const payment = (): KnownEvent => createEnvelope('payment.completed', contractExamples().find((e) => e.eventType === 'payment.completed')!.payload['payload'] as never, { producer: 'readme' });
async function publish(): Promise<void> {
  const client = createClient({ url: server.url });
  client.on('error', () => undefined);
  await client.connect();
  await publishEvent(client, payment());
  await client.close();
}
async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a long-lived snippet: it handles an event, lives through a Redis restart, handles another, and exits on SIGTERM. */
async function survives(command: string, args: string[], handled: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd: work, env: { ...process.env, REDIS_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const count = (): number => stdout.split('\n').filter((l) => handled.test(l)).length;
  await until(() => count() >= 1 || child.exitCode !== null);
  await server.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  await server.boot();
  await publish();
  await until(() => count() >= 2 || child.exitCode !== null);
  child.kill('SIGTERM');
  // Liveness, not speed: a timer or connection left behind keeps a process alive for seconds (a
  // 15 s reclaim timer once did); a stopped consumer must let it end at once.
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5_000))]);
  if (code === 'hung') throw new Error(`the snippet did not exit after SIGTERM:\n${stdout}\n${stderr}`);
  return { code, stdout, stderr };
}

describe('README snippets, as written', () => {
  const all = snippets();
  const tested = ['ts-consumer', 'py-consumer', 'py-validate', ...PRINTING];

  it('are all tested here (a new tagged snippet needs its run here)', () => {
    expect([...all.keys()].sort()).toEqual([...tested].sort());
  });

  it('ts-consumer type-checks under strict tsc, publishes and consumes, survives a Redis restart, and exits on SIGTERM', async () => {
    writeFileSync(path.join(work, 'consumer.ts'), all.get('ts-consumer')!.code);
    const tsc = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: work, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const run = await survives(process.execPath, ['--import', 'tsx', 'consumer.ts'], /^booked 1250000 VND/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/Unhandled|at .*\.ts:\d+/);
  }, 90_000);

  it('py-consumer passes mypy --strict, consumes, survives a Redis restart, and exits on SIGTERM', async () => {
    writeFileSync(path.join(work, 'consumer.py'), all.get('py-consumer')!.code + '\n');
    const mypy = spawnSync(path.join(path.dirname(venvPython()), 'mypy'), ['--strict', 'consumer.py'], { cwd: work, encoding: 'utf8' });
    expect(mypy.status, mypy.stdout + mypy.stderr).toBe(0);
    await publish();
    const run = await survives(venvPython(), ['consumer.py'], /^scored \d+ \(delivery 1\)/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/stopped after \d+ events/);
    expect(run.stderr).not.toContain('Traceback');
  }, 90_000);

  it('py-validate passes mypy --strict and prints the amounts it reads', async () => {
    writeFileSync(path.join(work, 'validate.py'), all.get('py-validate')!.code + '\n');
    const mypy = spawnSync(path.join(path.dirname(venvPython()), 'mypy'), ['--strict', 'validate.py'], { cwd: work, encoding: 'utf8' });
    expect(mypy.status, mypy.stdout + mypy.stderr).toBe(0);
    const run = spawnSync(venvPython(), ['validate.py'], { cwd: work, env: { ...process.env, REDIS_URL: server.url }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')[0]).toBe('1250000');
  }, 60_000);

  // Snippets that print: each print's trailing comment is the line it must print.
  for (const name of PRINTING) {
    it(`${name} type-checks strictly and prints what its comments say`, () => {
      const { lang, code } = all.get(name)!;
      const python = lang === 'python';
      const file = `${name.replaceAll('-', '_')}.${python ? 'py' : 'ts'}`;
      writeFileSync(path.join(work, file), `${code}\n`);
      const check = python
        ? spawnSync(path.join(path.dirname(venvPython()), 'mypy'), ['--strict', file], { cwd: work, encoding: 'utf8' })
        : spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: work, encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const run = python
        ? spawnSync(venvPython(), [file], { cwd: work, encoding: 'utf8' })
        : spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: work, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const expected = [...code.matchAll(python ? /^\s*print\(.*\)\s+# (.*)$/gm : /^\s*console\.log\(.*\);\s+\/\/ (.*)$/gm)].map((m) => m[1]);
      expect(expected.length).toBeGreaterThan(0);
      expect(run.stdout.trimEnd().split('\n')).toEqual(expected);
    }, 60_000);
  }
});

describe('CONTRIBUTING.md', () => {
  it('gives the same two commands as the README block CI runs', () => {
    const block = (file: string, after: string): string => {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const start = text.indexOf('```sh\n', text.indexOf(after));
      return text.slice(start, text.indexOf('```\n', start + 6));
    };
    expect(block('CONTRIBUTING.md', '## The two commands')).toBe(block('README.md', '<!-- ci:commands:start -->'));
  });
});
