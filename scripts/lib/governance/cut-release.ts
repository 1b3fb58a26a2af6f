import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContractError, ContractErrors } from '../contract/contract-error.js';
import { CONTRACT_FILES } from '../contract/contract-files.js';
import { readContract } from '../contract/load-contract.js';
import { compareVersions, isPackageVersion, RELEASES_DIR, type Release } from '../contract/releases.js';
import { declaredChanges } from './declared-changes.js';

/**
 * Cuts release `version` of the contract at `root`: sets the versions in step (package.json and
 * its lock, python/pyproject.toml, the contract's `info.version`), moves the declared breaking
 * changes out of asyncapi.yaml into the record (they were let through until this release), and
 * records the release in `releases/<version>/`: `release.json` and the contract frozen in
 * `contract/`. The caller lints first and regenerates after (scripts/release.ts does both).
 *
 * @throws {ContractErrors} when `version` is not MAJOR.MINOR.PATCH, or not after the latest release.
 * @example
 * const release = await cutRelease(process.cwd(), '0.2.0', { date: '2026-12-01' });
 */
export async function cutRelease(root: string, version: string, options: { date: string }): Promise<Release> {
  const refuse = (message: string, fix: string): never => {
    throw new ContractErrors([new ContractError({ file: RELEASES_DIR, pointer: '', message, fix })]);
  };
  if (!isPackageVersion(version)) refuse(`"${version}" is not a MAJOR.MINOR.PATCH version`, 'pass the version to release, e.g. npm run release -- 0.2.0');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) refuse(`"${options.date}" is not a date`, 'pass --date YYYY-MM-DD, or leave it out for today');
  const contract = await readContract(root);
  const latest = contract.releases.at(-1);
  if (latest && compareVersions(version, latest.version) <= 0) refuse(`${version} is not after the latest release, ${latest.version}`, 'release a higher version');
  if (existsSync(path.join(root, RELEASES_DIR, version))) refuse(`releases/${version} exists`, 'release a higher version');

  // The versions in step.
  const json = (file: string, edit: (data: Record<string, unknown>) => void): void => {
    const at = path.join(root, file);
    if (!existsSync(at)) return;
    const data = JSON.parse(readFileSync(at, 'utf8')) as Record<string, unknown>;
    edit(data);
    writeFileSync(at, `${JSON.stringify(data, null, 2)}\n`);
  };
  json('package.json', (p) => { p['version'] = version; });
  json('package-lock.json', (l) => {
    l['version'] = version;
    const own = (l['packages'] as Record<string, Record<string, unknown>> | undefined)?.[''];
    if (own) own['version'] = version;
  });
  const text = (file: string, edit: (t: string) => string): void => {
    const at = path.join(root, file);
    if (existsSync(at)) writeFileSync(at, edit(readFileSync(at, 'utf8')));
  };
  text('python/pyproject.toml', (t) => t.replace(/^version = "[^"]*"$/m, `version = "${version}"`));
  const declared = declaredChanges(contract);
  text('asyncapi.yaml', (t) => {
    const versioned = t.replace(/^(info:\n(?:[ #].*\n|\n)*?  version: ).*$/m, `$1${version}`);
    // Only the block's own lines (indented) go; the comments and keys after it stay.
    return versioned.replace(/^x-declared-breaking-changes:.*\n(?:[ ]+.*\n)*/m, 'x-declared-breaking-changes: []\n');
  });

  const release: Release = {
    version,
    date: options.date,
    commit: gitHead(root),
    payloadVersions: Object.fromEntries(contract.eventTypes.map((t) => [t.eventType, t.payloadVersion ?? '1.0'])),
    declaredBreakingChanges: declared,
  };
  const dir = path.join(root, RELEASES_DIR, version);
  mkdirSync(path.join(dir, 'contract'), { recursive: true });
  for (const entry of CONTRACT_FILES) cpSync(path.join(root, entry), path.join(dir, 'contract', entry), { recursive: true });
  writeFileSync(path.join(dir, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
  return release;
}

/** The commit checked out at `root`, or null outside git. */
function gitHead(root: string): string | null {
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
