// npm run bench:scale: what a contract of N event types costs, N = 3, 30 and 300, side by side in
// one run. Each N is a scratch copy of this repository whose contract is grown by cloning today's
// types (bench/grow-contract.ts); every figure is taken from that copy, cold. Prints a Markdown
// table; `-- --write` also records it in CONTRIBUTING.md between the scale markers.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { growContract, scratchCopy } from '../test/support/grow-contract.ts';
import { median } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');
const SIZES = [3, 30, 300] as const;
const SAMPLES = 7;

interface Figures {
  importMs: number;
  heapMb: number;
  pyImportMs: number;
  pyRssMb: number;
  distKb: number;
  seconds: Record<'generate' | 'compile' | 'docs' | 'check', number>;
  docsFirstPageKb: number;
  docsLoadMs: number;
}

/**
 * The docs' first page opened in Chromium from file:// (median of SAMPLES loads, each in a fresh
 * page, to the load event), after checking that it links every event type's page.
 */
async function docsLoad(dir: string, n: number): Promise<number> {
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const url = pathToFileURL(path.join(dir, 'docs', 'index.html')).href;
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const page = await browser.newPage();
      const started = performance.now();
      await page.goto(url, { waitUntil: 'load' });
      times.push(performance.now() - started);
      if (i === 0) {
        const links = await page.locator('#types a[href^="events/"]').count();
        if (links !== n) throw new Error(`docs/index.html links ${links} event type pages, expected ${n}`);
      }
      await page.close();
    }
    return median(times);
  } finally {
    await browser.close();
  }
}

/** Wall time of one `npm run <script>` in `dir`, in seconds; the output is shown only on failure. */
function timed(dir: string, script: string): number {
  const started = performance.now();
  const run = spawnSync('npm', ['run', '--silent', script], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`npm run ${script} failed in ${dir}:\n${run.stdout}\n${run.stderr}`);
  return (performance.now() - started) / 1000;
}

/** The first example of payment.completed in the contract at `dir`: a valid, whole envelope. */
function exampleEvent(dir: string): string {
  const doc = parse(readFileSync(path.join(dir, 'asyncapi.yaml'), 'utf8')) as { components: { messages: Record<string, { examples: { payload: unknown }[] }> } };
  return JSON.stringify(doc.components.messages['payment.completed']!.examples[0]!.payload);
}

/** Import + first validation in a fresh Node process (median of SAMPLES), and the heap after it. */
function nodeImport(dir: string, event: string): { ms: number; heapMb: number } {
  const script = `
    const t0 = performance.now();
    const m = await import(${JSON.stringify(path.join(dir, 'dist', 'index.js'))});
    const r = m.validateEnvelope(JSON.parse(process.argv[1]));
    const ms = performance.now() - t0;
    if (!r.ok || !r.known) throw new Error('the example did not validate');
    globalThis.gc(); globalThis.gc();
    console.log(JSON.stringify({ ms, heap: process.memoryUsage().heapUsed }));`;
  const runs = Array.from({ length: SAMPLES }, () => JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script, event], { encoding: 'utf8' })) as { ms: number; heap: number });
  return { ms: median(runs.map((r) => r.ms)), heapMb: median(runs.map((r) => r.heap)) / 1e6 };
}

/** Import + first validation in a fresh CPython process (median of SAMPLES), and its peak RSS. */
function pythonImport(dir: string, event: string): { ms: number; rssMb: number } {
  const script = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(path.join(dir, 'python', 'src'))})
t0 = time.perf_counter()
import goodgo_contracts_events as g
r = g.validate_envelope(json.loads(sys.argv[1]))
ms = (time.perf_counter() - t0) * 1000
assert r.ok and r.known, r.errors
assert g.__file__.startswith(${JSON.stringify(dir)}), g.__file__
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (node) across exec.
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"ms": ms, "rss": hwm}))`;
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  const runs = Array.from({ length: SAMPLES }, () => JSON.parse(execFileSync(python, ['-c', script, event], { encoding: 'utf8' })) as { ms: number; rss: number });
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rss)) / 1024 };
}

async function measure(n: number): Promise<Figures> {
  const dir = path.join(tmpdir(), `goodgo-scale-${n}`);
  scratchCopy(ROOT, dir);
  growContract(dir, n);
  const seconds = { generate: timed(dir, 'generate'), compile: timed(dir, 'compile'), docs: timed(dir, 'docs'), check: timed(dir, 'check') };
  const event = exampleEvent(dir);
  const node = nodeImport(dir, event);
  const py = pythonImport(dir, event);
  const figures = {
    importMs: node.ms,
    heapMb: node.heapMb,
    pyImportMs: py.ms,
    pyRssMb: py.rssMb,
    distKb: statSync(path.join(dir, 'dist', 'index.js')).size / 1024,
    seconds,
    docsFirstPageKb: statSync(path.join(dir, 'docs', 'index.html')).size / 1024,
    docsLoadMs: await docsLoad(dir, n),
  };
  rmSync(dir, { recursive: true, force: true });
  console.error(`measured ${n} types`);
  return figures;
}

const results = new Map<number, Figures>();
for (const n of SIZES) results.set(n, await measure(n));
const base = results.get(3)!;
const last = results.get(300)!;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
/** name, figure, format, ratio target (300 vs 3), absolute bound at 300. */
type Row = [string, (f: Figures) => number, (v: number) => string, number | undefined, number?];
const rows: Row[] = [
  ['TypeScript import + first validation', (f) => f.importMs, (v) => `${v.toFixed(1)} ms`, 1.5],
  ['TypeScript heap after it', (f) => f.heapMb, (v) => `${v.toFixed(1)} MB`, 1.5],
  ['Python import + first validation', (f) => f.pyImportMs, (v) => `${v.toFixed(0)} ms`, 1.5],
  ['Python peak RSS after it', (f) => f.pyRssMb, (v) => `${v.toFixed(0)} MB`, undefined],
  ['`dist/index.js`', (f) => f.distKb, (v) => `${v.toFixed(0)} KB`, undefined],
  ['`npm run generate`', (f) => f.seconds.generate, (v) => `${v.toFixed(1)} s`, 2.5],
  ['`npm run compile`', (f) => f.seconds.compile, (v) => `${v.toFixed(1)} s`, 2],
  ['`npm run docs`', (f) => f.seconds.docs, (v) => `${v.toFixed(1)} s`, 2.5],
  ['`npm run check`', (f) => f.seconds.check, (v) => `${v.toFixed(1)} s`, 2],
  ['docs first page (`docs/index.html`)', (f) => f.docsFirstPageKb, (v) => `${v.toFixed(0)} KB`, undefined],
  ['docs first page load in Chromium (every type linked)', (f) => f.docsLoadMs, (v) => `${v.toFixed(0)} ms`, undefined, 1000],
];
const table = [
  `| cost | ${SIZES.map((n) => `${n} types`).join(' | ')} | 300 vs 3 | target |`,
  `|---|${SIZES.map(() => '---').join('|')}|---|---|`,
  ...rows.map(([name, of, show, target, bound]) => {
    const r = of(last) / of(base);
    const verdict = target !== undefined ? `≤ ${target}x ${r <= target ? 'met' : '**not met**'}` : bound !== undefined ? `< ${show(bound)} at 300 ${of(last) < bound ? 'met' : '**not met**'}` : '';
    return `| ${name} | ${SIZES.map((n) => show(of(results.get(n)!))).join(' | ')} | ${ratio(of(last), of(base))} | ${verdict} |`;
  }),
].join('\n');
console.log(table);

if (write) {
  const file = path.join(ROOT, 'CONTRIBUTING.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- scale:start -->';
  const end = '<!-- scale:end -->';
  if (!text.includes(start) || !text.includes(end)) {
    console.error(`error: CONTRIBUTING.md has no ${start} ... ${end} markers\n  fix: put them where the table belongs`);
    process.exit(1);
  }
  const dated = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}, Node ${process.version}, by \`npm run bench:scale\`:\n\n${table}`;
  writeFileSync(file, text.slice(0, text.indexOf(start) + start.length) + '\n' + dated + '\n' + text.slice(text.indexOf(end)));
  console.log('\nwrote the table into CONTRIBUTING.md');
}
