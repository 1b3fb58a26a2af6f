import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ContractError, ContractErrors } from './contract-error.js';
import { isObject } from './json-object.js';

/** Where the releases of the contract are recorded, one folder per version. */
export const RELEASES_DIR = 'releases';

/** A breaking change let through deliberately: the compat row it matches, and why. */
export interface DeclaredBreakingChange {
  /** The JSON pointer of the change, as compat prints it (e.g. `/payload/amount`). */
  readonly pointer: string;
  /** The event type whose payload changes; absent for the envelope and the binding. */
  readonly eventType?: string;
  readonly reason: string;
}

/**
 * One release of the contract, as `npm run release` recorded it in
 * `releases/<version>/release.json`; the contract itself is frozen beside it, in
 * `releases/<version>/contract/` (asyncapi.yaml, schemas/, redis/). In the repository, not in
 * git tags or history: CI's clean clone may have neither, and the docs' version history must not
 * depend on the clone's depth.
 */
export interface Release {
  /** The package version (`MAJOR.MINOR.PATCH`), the same as the contract's `info.version`. */
  readonly version: string;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** The commit the release was cut from, when it was cut in a git checkout (informational). */
  readonly commit: string | null;
  /** Each event type's `x-payload-version` in this release. */
  readonly payloadVersions: Readonly<Record<string, string>>;
  /** The breaking changes declared since the release before, moved here when this one was cut. */
  readonly declaredBreakingChanges: readonly DeclaredBreakingChange[];
}

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/**
 * Orders package versions (`MAJOR.MINOR.PATCH`, numbers only) as semver does.
 *
 * @example
 * ['0.10.0', '0.9.1'].sort(compareVersions); // ['0.9.1', '0.10.0']
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Whether `version` is a `MAJOR.MINOR.PATCH` package version. */
export const isPackageVersion = (version: string): boolean => SEMVER.test(version);

/** The folder of a release's frozen contract: readContract reads it as it reads the repository. */
export const releaseContractDir = (root: string, version: string): string => path.join(root, RELEASES_DIR, version, 'contract');

/**
 * The releases recorded under `root/releases/`, oldest first; none when the folder does not exist.
 *
 * @throws {ContractErrors} naming a record that does not read.
 * @example
 * const latest = (await readReleases(root)).at(-1); // { version: '0.1.0', ... }
 */
export async function readReleases(root: string): Promise<Release[]> {
  const dir = path.join(root, RELEASES_DIR);
  const versions = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);
  const problems: ContractError[] = [];
  const releases: Release[] = [];
  for (const version of versions) {
    const file = `${RELEASES_DIR}/${version}/release.json`;
    const bad = (message: string): void => {
      problems.push(new ContractError({ file, pointer: '', message, fix: 'records are written by npm run release; restore this one from git' }));
    };
    if (!isPackageVersion(version)) {
      bad(`"${version}" is not a MAJOR.MINOR.PATCH version`);
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(await readFile(path.join(root, file), 'utf8'));
    } catch (e) {
      bad(`cannot read the record: ${(e as Error).message}`);
      continue;
    }
    if (!isObject(record) || record['version'] !== version || typeof record['date'] !== 'string' || !isObject(record['payloadVersions']) || !Array.isArray(record['declaredBreakingChanges'])) {
      bad('not a release record (version, date, payloadVersions, declaredBreakingChanges)');
      continue;
    }
    releases.push({
      version,
      date: record['date'],
      commit: typeof record['commit'] === 'string' ? record['commit'] : null,
      payloadVersions: Object.fromEntries(Object.entries(record['payloadVersions']).map(([t, v]) => [t, String(v)])),
      declaredBreakingChanges: record['declaredBreakingChanges'].filter(isObject).map(declaredChangeOf),
    });
  }
  if (problems.length > 0) throw new ContractErrors(problems);
  return releases.sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * A declared breaking change from its YAML or JSON form (`x-declared-breaking-changes` items, and
 * the records' copies of them).
 *
 * @example
 * declaredChangeOf({ pointer: '/payload/amount', eventType: 'payment.completed', reason: 'cents' });
 */
export function declaredChangeOf(item: Readonly<Record<string, unknown>>): DeclaredBreakingChange {
  return {
    pointer: String(item['pointer']),
    ...(typeof item['eventType'] === 'string' ? { eventType: item['eventType'] } : {}),
    reason: String(item['reason']),
  };
}
