// npm run docs: renders the contract to docs/index.html (a light first page: the binding and an
// index of every event type), docs/events/<eventType>.html (one page per type) and docs/events.md
// (plain Markdown, the same text). A broken contract (invalid document,
// broken $ref, an example that fails its schema) exits 1 naming the file and pointer, and writes
// nothing.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readContract } from './lib/contract/load-contract.js';
import { checkContractExamplesInWorker } from './lib/render/render-validators.js';
import { inBatches } from './lib/in-batches.js';
import { renderDocsSite } from './lib/render/render-docs-site.js';
import { renderDocsMarkdown } from './lib/render/render-docs-markdown.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

await runScript(async () => {
  const started = performance.now();
  const reading = readContract(root); // the files are enough; npm run check lints the document
  // Throws, naming the pointer, if a message example fails its schema: checked on a worker thread
  // while the pages render here, and before anything is written.
  const examples = checkContractExamplesInWorker(reading);
  examples.catch(() => undefined); // awaited below, after the contract (whose errors come first)
  const contract = await reading;
  const files = new Map([...renderDocsSite(contract), ['docs/events.md', renderDocsMarkdown(contract)]]);
  await examples;
  await mkdir(path.join(root, 'docs', 'events'), { recursive: true });
  await inBatches([...files], ([file, content]) => writeFile(path.join(root, `${file}.tmp`), content));
  await inBatches([...files.keys()], (file) => rename(path.join(root, `${file}.tmp`), path.join(root, file)));
  // Pages of types the contract no longer has.
  for (const name of await readdir(path.join(root, 'docs', 'events'))) {
    if (!files.has(`docs/events/${name}`)) await rm(path.join(root, 'docs', 'events', name));
  }
  const size = (files.get('docs/index.html')!.length / 1e3).toFixed(0);
  console.log(`wrote docs/index.html (${size} KB), ${files.size - 2} event type pages in docs/events/ and docs/events.md in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
});
