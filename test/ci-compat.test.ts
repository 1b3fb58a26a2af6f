// CI's compat step (.ci/run, between the ci:compat markers), run as CI runs it, in a scratch
// repository with real commits: a push of two commits, the first breaking and the second
// harmless, must fail it. (Comparing with HEAD~1 only, as CI once did, lets it through.)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/contract-examples.ts';
import { scratchCopy } from './support/grow-contract.ts';
import { editFile } from './support/edit-file.ts';

/** The commands of CI's compat step, exactly as .ci/run has them. */
function compatStep(): string {
  const run = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  const step = /# ci:compat:start\n([\s\S]*?)# ci:compat:end/.exec(run)?.[1]?.trim();
  if (!step) throw new Error('.ci/run has no ci:compat:start / ci:compat:end markers');
  return step;
}

describe("CI's compat step", () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'ci-compat-')), 'repo');
  afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
  const git = (...args: string[]): string => execFileSync('git', ['-C', dir, '-c', 'user.name=ci', '-c', 'user.email=ci@example.com', ...args], { encoding: 'utf8' });
  const edit = (file: string, change: (text: string) => string): void => editFile(path.join(dir, file), change);
  const step = (): { status: number | null; out: string } => {
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', compatStep()], { cwd: dir, encoding: 'utf8' });
    return { status: run.status, out: run.stdout + run.stderr };
  };

  it('fails a push whose first commit breaks a payload and whose second is harmless', () => {
    scratchCopy(ROOT, dir);
    git('init', '--quiet', '--initial-branch', 'main');
    git('add', '--all', ':!node_modules', ':!.venv');
    git('commit', '--quiet', '-m', 'the contract as released');
    expect(step().status).toBe(0);

    // Commit 1: orderId is no longer required (producers may omit it: consumers that rely on it break).
    edit('schemas/payment.completed.schema.json', (t) => t.replace(/"required": \[\n(\s*)"paymentId",\n\s*"orderId",/, '"required": [\n$1"paymentId",'));
    git('commit', '--quiet', '-am', 'orderId optional');
    // Commit 2: a description, nothing else.
    edit('schemas/kyc.verified.schema.json', (t) => t.replace('"The verified user."', '"The user who was verified."'));
    git('commit', '--quiet', '-am', 'wording');

    const run = step();
    expect(run.status, run.out).toBe(1);
    expect(run.out).toMatch(/\| payment\.completed +\| \/payload\/required +\| property orderId made optional +\| safe +\| breaking +\|/);
    expect(run.out).toContain('error: breaking change(s) above');
    // What the step used to run sees only the last commit, and passes.
    const old = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/compat.ts', '--base', 'HEAD~1'], { cwd: dir, encoding: 'utf8' });
    expect(old.status, old.stdout + old.stderr).toBe(0);
  });
});
