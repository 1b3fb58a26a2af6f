// Regenerates everything derived from asyncapi.yaml and schemas/ (npm run generate): generated/
// and the Python package's generated files. With --check it only reports what differs (exit 1 on
// drift). --root DIR works on the contract in DIR instead of this repository.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DIRS, renderGenerated } from './lib/render-generated.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

/** Files under the generated folders that the contract no longer produces. */
async function staleFiles(files: ReadonlyMap<string, string>): Promise<string[]> {
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

await runScript(async () => {
  const files = await renderGenerated(root);
  const stale = await staleFiles(files);
  if (check) {
    const changed: string[] = [];
    for (const [file, content] of files) {
      const current = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
      if (current !== content) changed.push(current === undefined ? `${file} (missing)` : file);
    }
    const drift = [...changed, ...stale.map((f) => `${f} (stale)`)];
    if (drift.length === 0) {
      console.log(`generated files are up to date (${files.size} files).`);
      return 0;
    }
    console.error(`generated files are out of date: ${drift.join(', ')}\n  fix: run npm run generate and commit the result`);
    return 1;
  }
  // Everything is rendered before anything is written, and each file is written to a temporary
  // name and renamed, so a failure never leaves the generated files half old and half new.
  for (const [file, content] of files) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, `${file}.tmp`), content);
  }
  for (const file of files.keys()) await rename(path.join(root, `${file}.tmp`), path.join(root, file));
  for (const file of stale) await rm(path.join(root, file));
  console.log(`generated ${files.size} files${stale.length ? `, removed ${stale.length} stale: ${stale.join(', ')}` : ''}`);
  return 0;
});
