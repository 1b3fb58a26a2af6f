// npm run bench: measures the performance targets side by side in one process and prints a
// Markdown table of ratios; `npm run bench -- --write` also records it in CONTRIBUTING.md with the date.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidPackageV7 } from 'uuid';
import { z } from 'zod';
import { createEnvelope, publishEvents, uuidv7, validateEnvelope } from '../src/index.ts';
import { compare, consumed, median } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');

interface Row {
  readonly measure: string;
  readonly figure: string;
  readonly target: string;
  readonly met: boolean;
}
const rows: Row[] = [];
const ns = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} µs` : `${v.toFixed(0)} ns`);
const x = (v: number): string => `${v.toFixed(2)}x`;

// --- UUIDv7 -------------------------------------------------------------------------------------
// charCodeAt(35) forces V8 to flatten the string, so the cost of first use is counted.
{
  const m = compare(
    [
      { name: 'uuidv7', run: () => uuidv7().charCodeAt(35) },
      { name: 'randomUUID', run: () => randomUUID().charCodeAt(35) },
      { name: 'uuid.v7', run: () => uuidPackageV7().charCodeAt(35) },
    ],
    { rounds: 25, batch: 50_000 },
  );
  const ours = m.get('uuidv7')!;
  const vsRandom = ours / m.get('randomUUID')!;
  const vsUuid = m.get('uuid.v7')! / ours;
  rows.push({ measure: '`uuidv7()` vs `crypto.randomUUID()` (time ratio)', figure: `${x(vsRandom)} (${ns(ours)} vs ${ns(m.get('randomUUID')!)})`, target: '≤ 1.00x', met: vsRandom <= 1 });
  rows.push({ measure: '`uuidv7()` vs `uuid` package `v7()` (speed-up)', figure: `${x(vsUuid)} faster (${ns(m.get('uuid.v7')!)} per id)`, target: '≥ 10x', met: vsUuid >= 10 });
  let previous = uuidv7();
  let outOfOrder = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const id = uuidv7();
    if (!(id > previous)) outOfOrder++;
    previous = id;
  }
  rows.push({ measure: 'out-of-order ids in 1e6 `uuidv7()` calls', figure: String(outOfOrder), target: '0', met: outOfOrder === 0 });
}

// --- validateEnvelope ---------------------------------------------------------------------------
const event = createEnvelope(
  'payment.completed',
  { paymentId: 'pay_01JDQ7ZK3M8V', orderId: 'ord_9f8e7d6c', amount: 1250000, currency: 'VND', gateway: 'stripe', method: 'card', gatewayReference: 'pi_3QJ8Zt2eZvKYlo2C1a2b3c4d', completedAt: '2026-11-27T09:11:44.903Z' },
  { producer: 'payments-service', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
);
{
  // Producer mode is closed (zod strictObject); consumer mode tolerates unknown fields (looseObject).
  const zodProducer = zodEquivalent(z.strictObject);
  const zodConsumer = zodEquivalent(z.looseObject);
  if (!zodProducer.safeParse(event).success || !zodConsumer.safeParse(event).success) throw new Error('bench: the zod schema rejects the event; it is not equivalent');
  // The floor both validators share: the event's pattern tests alone, in V8's regex engine.
  const patternTests = patternsOf(event);
  const [p0, p1, p2, p3, p4, p5, p6, p7] = patternTests as [[RegExp, string], [RegExp, string], [RegExp, string], [RegExp, string], [RegExp, string], [RegExp, string], [RegExp, string], [RegExp, string]];
  // Eight direct calls, no loop or closure per pattern, so the figure is the regex engine's alone.
  const patternsOnly = (): boolean =>
    p0[0].test(p0[1]) && p1[0].test(p1[1]) && p2[0].test(p2[1]) && p3[0].test(p3[1]) && p4[0].test(p4[1]) && p5[0].test(p5[1]) && p6[0].test(p6[1]) && p7[0].test(p7[1]);
  const m = compare(
    [
      { name: 'validate-producer', run: () => validateEnvelope(event, { mode: 'producer' }).ok },
      { name: 'validate-consumer', run: () => validateEnvelope(event).ok },
      { name: 'stringify', run: () => JSON.stringify(event).length },
      { name: 'zod-producer', run: () => zodProducer.safeParse(event).success },
      { name: 'zod-consumer', run: () => zodConsumer.safeParse(event).success },
      { name: 'patterns', run: patternsOnly },
    ],
    { rounds: 25, batch: 50_000 },
  );
  const consumer = m.get('validate-consumer')!;
  const producer = m.get('validate-producer')!;
  const vsStringify = Math.max(consumer, producer) / m.get('stringify')!;
  rows.push({ measure: '`validateEnvelope` (payment.completed) vs `JSON.stringify` of it (time ratio, slower mode)', figure: `${x(vsStringify)} (consumer ${ns(consumer)}, producer ${ns(producer)}, stringify ${ns(m.get('stringify')!)})`, target: '≤ 0.35x', met: vsStringify <= 0.35 });
  rows.push({ measure: `of which the event's ${patternTests.length} pattern tests alone (\`RegExp.test\`, the same in both libraries)`, figure: ns(m.get('patterns')!), target: '—', met: true });
  for (const mode of ['consumer', 'producer'] as const) {
    const speedUp = m.get(`zod-${mode}`)! / m.get(`validate-${mode}`)!;
    rows.push({ measure: `\`validateEnvelope\` ${mode} mode vs zod 4 \`safeParse\`, same patterns and bounds (speed-up)`, figure: `${x(speedUp)} faster (zod ${ns(m.get(`zod-${mode}`)!)})`, target: '≥ 5x', met: speedUp >= 5 });
  }
}

// --- import + first validation ------------------------------------------------------------------
// Each run is a fresh `node` process; the three variants are interleaved round by round.
{
  const entry = path.join(ROOT, 'dist', 'index.js');
  const variants: Record<string, string[]> = {
    bare: ['-e', ''],
    emptyModule: ['--input-type=module', '-e', ''],
    package: ['--input-type=module', '-e', `import { validateEnvelope } from ${JSON.stringify(entry)}; if (!validateEnvelope(${JSON.stringify(event)}).ok) process.exit(1);`],
  };
  const samples: Record<string, number[]> = { bare: [], emptyModule: [], package: [] };
  for (let round = -3; round < 80; round++) {
    for (const [name, args] of Object.entries(variants)) {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} failed; run npm run build first`);
      if (round >= 0) samples[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const [bare, emptyModule, pkg] = [median(samples['bare']!), median(samples['emptyModule']!), median(samples['package']!)];
  const above = pkg - bare;
  rows.push({ measure: "`import` + first validation, above a bare `node -e ''`", figure: `+${above.toFixed(1)} ms (${pkg.toFixed(1)} vs ${bare.toFixed(1)} ms; an empty ES module: ${emptyModule.toFixed(1)} ms)`, target: '≤ +5 ms', met: above <= 5 });
}

// --- npm run docs -------------------------------------------------------------------------------
// The whole command as a user runs it (tsx start-up included), median of 5 runs.
{
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'docs.ts')], { cwd: ROOT, stdio: 'ignore' });
    if (r.status !== 0) throw new Error('bench: npm run docs failed');
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const t = median(times);
  rows.push({ measure: '`npm run docs` (docs/index.html and docs/events.md), wall time', figure: `${t.toFixed(1)} s`, target: '≤ 5 s', met: t <= 5 });
}

// --- goodgo-events validate on a 1 GB NDJSON file -----------------------------------------------
// Peak memory must stay flat: the same command on 100 MB and on 1 GB, side by side.
{
  const { mkdtempSync, createWriteStream, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-ndjson-'));
  const write = async (file: string, bytes: number): Promise<number> => {
    const out = createWriteStream(file);
    let written = 0;
    let count = 0;
    while (written < bytes) {
      const lines: string[] = [];
      for (let i = 0; i < 10_000; i++) {
        lines.push(JSON.stringify({ ...event, eventId: uuidv7(), payload: { ...event.payload, amount: 1 + (count++ % 1_000_000) } }));
      }
      const chunk = lines.join('\n') + '\n';
      written += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    return count;
  };
  const measure = async (bytes: number): Promise<{ events: number; seconds: number; rssMiB: number; size: number }> => {
    const file = path.join(dir, `events-${bytes}.ndjson`);
    const events = await write(file, bytes);
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--import', path.join(ROOT, 'bench', 'report-max-rss.mjs'), path.join(ROOT, 'dist', 'cli.js'), 'validate', file], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`bench: goodgo-events validate exited ${r.status}: ${r.stderr.slice(-500)}`);
    const rss = Number(/max-rss-kib=(\d+)/.exec(r.stderr)?.[1]) / 1024;
    const size = statSync(file).size;
    rmSync(file);
    return { events, seconds, rssMiB: rss, size };
  };
  const small = await measure(100 * 1024 * 1024);
  const large = await measure(1024 * 1024 * 1024);
  rmSync(dir, { recursive: true, force: true });
  const flat = large.rssMiB <= small.rssMiB * 1.25;
  rows.push({
    measure: '`goodgo-events validate` on a 1 GB NDJSON file (payment.completed events)',
    figure: `${(large.events / large.seconds / 1000).toFixed(0)}k events/s (${large.events.toLocaleString('en')} events, ${(large.size / 2 ** 30).toFixed(2)} GiB in ${large.seconds.toFixed(1)} s); peak memory ${large.rssMiB.toFixed(0)} MiB vs ${small.rssMiB.toFixed(0)} MiB on 100 MiB`,
    target: 'flat memory',
    met: flat,
  });
}

// --- publishEvents on a real Redis: validation's share of a pipelined publish ------------------
{
  const { RedisServer } = await import('../test/support/redis-server.ts');
  const { createClient } = await import('redis');
  const server = await RedisServer.start();
  const client = await createClient({ url: server.url }).connect();
  const batch = Array.from({ length: 1000 }, () => createEnvelope('payment.completed', event.payload, { producer: 'payments-service' }));
  const raw = async (): Promise<unknown> => Promise.all(batch.map((e) => client.sendCommand(['XADD', 'events:payment.completed', '*', 'envelope', JSON.stringify(e)])));
  const times: Record<string, number[]> = { validated: [], raw: [] };
  for (let round = -2; round < 20; round++) {
    for (const [name, run] of Object.entries({ validated: () => publishEvents(client, batch), raw })) {
      const start = process.hrtime.bigint();
      await run();
      if (round >= 0) times[name]!.push(Number(process.hrtime.bigint() - start) / 1e9);
      await client.sendCommand(['DEL', 'events:payment.completed']);
    }
  }
  const validated = batch.length / median(times['validated']!);
  const unvalidated = batch.length / median(times['raw']!);
  rows.push({ measure: 'pipelined `publishEvents` (validation included) vs the same XADDs unvalidated, 1000 per batch (throughput ratio)', figure: `${(validated / unvalidated).toFixed(2)}x (${Math.round(validated / 1000)}k vs ${Math.round(unvalidated / 1000)}k events/s)`, target: '≥ 0.90x', met: validated / unvalidated >= 0.9 });
  await client.quit();
  await server.stop();
}

// --- consumeEvents on a real Redis: against a bare loop, validation's share, concurrency ---------
rows.push(...(await (await import('./consumer-bench.ts')).consumerRows()));
rows.push(...(await (await import('./redrive-bench.ts')).redriveRows()));

// --- Python ---------------------------------------------------------------------------------------
// bench/python_bench.py measures the Python package the same way, in its own process (the venv).
{
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  const run = spawnSync(python, [path.join(ROOT, 'bench', 'python_bench.py')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench: bench/python_bench.py failed (run npm run setup first):\n${run.stderr}`);
  rows.push(...(JSON.parse(run.stdout) as Row[]));
}

consumed();
const date = new Date().toISOString().slice(0, 10);
const table = [
  `Measured ${date} on this project's machine (${process.version}, ${(await import('node:os')).cpus().length} cores) with \`npm run bench\`: medians of interleaved rounds in one process.`,
  '',
  '| measure | figure | target | met |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.measure} | ${r.figure} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`),
].join('\n');
console.log(table);

if (write) {
  const readme = path.join(ROOT, 'CONTRIBUTING.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (!text.includes(start) || !text.includes(end)) {
    console.error(`error: CONTRIBUTING.md has no ${start} ... ${end} markers\n  fix: put them where the table belongs`);
    process.exit(1);
  }
  writeFileSync(readme, text.slice(0, text.indexOf(start) + start.length) + '\n' + table + '\n' + text.slice(text.indexOf(end)));
  console.log('\nwrote the table into CONTRIBUTING.md');
}
process.exitCode = rows.every((r) => r.met) ? 0 : 1;

/** Each pattern the payment.completed event schema applies, with the value it is applied to. */
function patternsOf(e: typeof event): [RegExp, string][] {
  const read = (f: string): { definitions: Record<string, { pattern: string }>; properties: Record<string, { pattern: string }> } =>
    JSON.parse(readFileSync(path.join(ROOT, 'schemas', f), 'utf8')) as never;
  const envelope = read('envelope.schema.json');
  const common = read('common.schema.json');
  const payload = read('payment.completed.schema.json');
  const re = (p: string): RegExp => new RegExp(p, 'u');
  return [
    [re(envelope.definitions['EventId']!.pattern), e.eventId],
    [re(common.definitions['UtcTimestamp']!.pattern), e.occurredAt],
    [re(envelope.definitions['Producer']!.pattern), e.producer],
    [re(envelope.definitions['TraceId']!.pattern), e.traceId],
    [re(common.definitions['EntityId']!.pattern), e.payload.paymentId],
    [re(common.definitions['EntityId']!.pattern), e.payload.orderId],
    [re(payload.properties['currency']!.pattern), e.payload.currency],
    [re(common.definitions['UtcTimestamp']!.pattern), e.payload.completedAt],
  ];
}

/** The payment.completed event schema in zod 4, with the very same patterns and bounds. */
function zodEquivalent(object: typeof z.strictObject) {
  interface SchemaJson {
    definitions: Record<string, { pattern: string }>;
    properties: Record<string, { pattern: string; enum: [string, ...string[]] }>;
  }
  const read = (f: string): SchemaJson => JSON.parse(readFileSync(path.join(ROOT, 'schemas', f), 'utf8')) as SchemaJson;
  const envelope = read('envelope.schema.json');
  const common = read('common.schema.json');
  const payload = read('payment.completed.schema.json');
  const re = (p: string): RegExp => new RegExp(p, 'u');
  const id = z.string().regex(re(common.definitions['EntityId']!.pattern));
  const utc = z.string().regex(re(common.definitions['UtcTimestamp']!.pattern));
  return object({
    schemaVersion: z.literal(1),
    eventId: z.string().regex(re(envelope.definitions['EventId']!.pattern)),
    eventType: z.literal('payment.completed'),
    occurredAt: utc,
    producer: z.string().max(64).regex(re(envelope.definitions['Producer']!.pattern)),
    traceId: z.string().regex(re(envelope.definitions['TraceId']!.pattern)),
    payload: object({
      paymentId: id,
      orderId: id,
      amount: z.number().int().min(1).max(9007199254740991),
      currency: z.string().regex(re(payload.properties['currency']!.pattern)),
      gateway: z.enum(payload.properties['gateway']!.enum),
      method: z.enum(payload.properties['method']!.enum),
      gatewayReference: z.string().min(1).max(128).optional(),
      completedAt: utc,
    }),
  });
}
