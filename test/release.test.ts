// npm run release in a scratch copy: a compatible change, its bump, then the release that records
// it; versions in step, the declared changes moved into the record, the docs' history updated.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReleases } from '../scripts/lib/contract/releases.ts';
import { ROOT } from './support/contract-examples.ts';
import { scratchCopy } from './support/grow-contract.ts';
import { editFile } from './support/edit-file.ts';

describe('npm run release', () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'release-')), 'repo');
  afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
  const run = (script: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'scripts', `${script}.ts`), ...args], { cwd: dir, encoding: 'utf8' });
  const edit = (file: string, change: (text: string) => string): void => editFile(path.join(dir, file), change);

  it('records a release after a compatible change and its bump, with every version in step', async () => {
    scratchCopy(ROOT, dir);
    const [latest] = (await readReleases(dir)).slice(-1);
    const next = latest!.version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
    // A compatible change (an optional field), bumped, and a declared breaking change of the binding.
    edit('schemas/kyc.verified.schema.json', (t) => t.replace('"properties": {', '"properties": {\n    "country": { "description": "ISO 3166-1 alpha-2 country of the document.", "type": "string", "pattern": "^[A-Z]{2}$(?!\\\\n)" },'));
    edit('asyncapi.yaml', (t) => t.replace("      name: kyc.verified\n      x-payload-version: '1.0'", "      name: kyc.verified\n      x-payload-version: '1.1'"));
    edit('asyncapi.yaml', (t) => t.replace('x-declared-breaking-changes: []', 'x-declared-breaking-changes:\n  - pointer: /x-event-limits/maxDepth\n    reason: a test of the move'));
    expect(run('generate').status).toBe(0);
    const checked = run('check');
    expect(checked.status, checked.stderr).toBe(0);

    const released = run('release', next, '--date', '2026-12-01');
    expect(released.status, released.stderr).toBe(0);
    expect(released.stdout).toContain(`released ${next}: releases/${next}/ (3 event types, 1 declared breaking change(s) moved into its record)`);
    const record = JSON.parse(readFileSync(path.join(dir, 'releases', next, 'release.json'), 'utf8')) as { payloadVersions: Record<string, string>; declaredBreakingChanges: unknown[]; date: string };
    expect(record.payloadVersions['kyc.verified']).toBe('1.1');
    expect(record.date).toBe('2026-12-01');
    expect(record.declaredBreakingChanges).toEqual([{ pointer: '/x-event-limits/maxDepth', reason: 'a test of the move' }]);
    expect(existsSync(path.join(dir, 'releases', next, 'contract', 'schemas', 'kyc.verified.schema.json'))).toBe(true);
    // Versions in step; the declaration moved out of the document; the docs list the history.
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe(next);
    expect(readFileSync(path.join(dir, 'python/pyproject.toml'), 'utf8')).toContain(`\nversion = "${next}"\n`);
    const yaml = readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8');
    expect(yaml).toContain(`\n  version: ${next}\n`);
    expect(yaml).toContain('\nx-declared-breaking-changes: []\n');
    expect(readFileSync(path.join(dir, 'docs/events.md'), 'utf8')).toContain(`| \`1.1\` | ${next} (2026-12-01) |`);
    // The release is clean against itself, and a release is not cut twice.
    expect(run('check').status).toBe(0);
    expect(run('compat').stdout).toContain(`no change to the schemas since release ${next}`);
    expect(run('release', next).stderr).toContain(`${next} is not after the latest release, ${next}`);
  }, 120_000);
});
