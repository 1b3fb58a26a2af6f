// Regenerates everything derived from asyncapi.yaml and schemas/ (npm run generate): generated/,
// docs/events.md and the Python package's generated files. With --check it only reports what
// differs (exit 1 on drift). --root DIR works on the contract in DIR instead of this repository.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderGenerated } from './lib/render/render-generated.js';
import { runScript } from './lib/run-script.js';
import { staleFiles, writeGenerated } from './lib/render/write-generated.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

await runScript(async () => {
  if (!check) {
    const { written, removed } = await writeGenerated(root);
    console.log(`generated ${written.length} files${removed.length ? `, removed ${removed.length} stale: ${removed.join(', ')}` : ''}`);
    return 0;
  }
  const files = await renderGenerated(root);
  const changed: string[] = [];
  for (const [file, content] of files) {
    const current = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
    if (current !== content) changed.push(current === undefined ? `${file} (missing)` : file);
  }
  const drift = [...changed, ...(await staleFiles(root, files)).map((f) => `${f} (stale)`)];
  if (drift.length === 0) {
    console.log(`generated files are up to date (${files.size} files).`);
    return 0;
  }
  console.error(`generated files are out of date: ${drift.join(', ')}; fix: run npm run generate and commit the result`);
  return 1;
});
