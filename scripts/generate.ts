// Regenerates generated/ from asyncapi.yaml and schemas/ (npm run generate), or with --check
// only reports which generated files differ from what the contract gives (exit 1 on drift).
// --root DIR works on the contract in DIR instead of this repository.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderGenerated } from './lib/render-generated.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const check = args.includes('--check');
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

await runScript(async () => {
  const files = await renderGenerated(root);
  if (check) {
    const stale: string[] = [];
    for (const [file, content] of files) {
      const current = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
      if (current !== content) stale.push(file);
    }
    if (stale.length === 0) {
      console.log(`generated/ is up to date (${files.size} files).`);
      return 0;
    }
    console.error(`generated/ is out of date: ${stale.join(', ')}\n  fix: run npm run generate and commit the result`);
    return 1;
  }
  // All files are rendered before any is written, and each is written to a temporary name and
  // renamed, so a failure never leaves generated/ half old and half new.
  await mkdir(path.join(root, 'generated'), { recursive: true });
  for (const [file, content] of files) await writeFile(path.join(root, `${file}.tmp`), content);
  for (const file of files.keys()) await rename(path.join(root, `${file}.tmp`), path.join(root, file));
  console.log(`generated ${[...files.keys()].join(', ')}`);
  return 0;
});
