import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GENERATED_DIRS, renderGenerated } from './render-generated.js';
import { inBatches } from '../in-batches.js';

/** Files under the generated folders that `files` no longer contains. */
export async function staleFiles(root: string, files: ReadonlyMap<string, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const dir of GENERATED_DIRS) {
    const entries = await readdir(path.join(root, dir), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isFile() || e.name.endsWith('.pyc')) continue;
      const file = path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/');
      if (!files.has(file)) stale.push(file);
    }
  }
  return stale.sort();
}

/**
 * Renders every generated file from the contract at `root` and writes them: all rendered before
 * any is written, each written to a temporary name and renamed, stale ones removed, so a failure
 * never leaves the generated files half old and half new.
 *
 * @throws {ContractErrors} when the contract has mistakes (nothing is written then).
 * @example
 * const { written, removed } = await writeGenerated(process.cwd());
 */
export async function writeGenerated(root: string): Promise<{ written: string[]; removed: string[] }> {
  const files = await renderGenerated(root);
  const stale = await staleFiles(root, files);
  const at = (file: string): string => path.join(root, file);
  for (const dir of new Set([...files.keys()].map((f) => path.dirname(at(f))))) await mkdir(dir, { recursive: true });
  await inBatches([...files], ([file, content]) => writeFile(at(`${file}.tmp`), content));
  await inBatches([...files.keys()], (file) => rename(at(`${file}.tmp`), at(file)));
  await inBatches(stale, (file) => rm(at(file)));
  return { written: [...files.keys()], removed: stale };
}

