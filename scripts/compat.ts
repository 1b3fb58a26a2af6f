// npm run compat: compares the contract with earlier versions and prints, per change, its verdict
// for producers and consumers, and the payload version each changed type needs. Exit 1 on a
// breaking change that is not declared; a new major version goes in as a new event type.
//
//   (nothing)                   the latest release (releases/), what CI runs
//   --release <version|latest>  one release
//   --since <version>           every release from that one on
//   --base <git-ref>            the contract at a commit (e.g. main)
//   --against <folder>          a folder with asyncapi.yaml and schemas/
//   --format markdown           a Markdown report, for a pull-request comment
//   --against-stream <eventType> [--url redis://...] [--sample N]
//                               the last N (default 100) real entries of the type's stream, judged
//                               by the working tree's schemas in each mode
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractError, ContractErrors } from './lib/contract/contract-error.js';
import { compareContracts, isBreaking, type CompatRow } from './lib/governance/compare-contracts.js';
import { declaredChanges } from './lib/governance/declared-changes.js';
import { payloadChanges, type PayloadChange } from './lib/governance/payload-versions.js';
import { contractAtRef } from './lib/contract/contract-at-ref.js';
import { readContract, type ContractData } from './lib/contract/load-contract.js';
import { compareVersions, releaseContractDir, type DeclaredBreakingChange } from './lib/contract/releases.js';
import { runScript } from './lib/run-script.js';
import { patternHints, validatorsOf } from './lib/render/render-validators.js';
import { streamConformance } from './lib/governance/stream-conformance.js';
import { createClient } from 'redis';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = path.resolve(option('--root') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const markdown = option('--format') === 'markdown';

/** One contract to compare with: what to call it, where it is, and the declarations that apply. */
interface Base {
  readonly label: string;
  readonly dir: string | undefined;
  readonly declared: readonly DeclaredBreakingChange[];
}

function usage(message: string): never {
  throw new ContractErrors([new ContractError({ file: 'asyncapi.yaml', pointer: '', message, fix: 'pass nothing (the latest release), --release <version|latest>, --since <version>, --base <git-ref> or --against <folder>; and --format markdown for a Markdown report' })]);
}

/** The bases the options ask for. A release's base lets through what later releases declared. */
function basesOf(head: ContractData): Base[] {
  const chosen = ['--release', '--since', '--base', '--against'].filter((o) => args.includes(o));
  if (chosen.length > 1) usage(`${chosen.join(' and ')}: compare with one of them`);
  const format = option('--format');
  if (format !== undefined && format !== 'markdown' && format !== 'text') usage(`--format ${format}`);
  const own = declaredChanges(head);
  const ref = option('--base');
  if (ref) return [{ label: ref, dir: contractAtRef(root, ref), declared: own }];
  const against = option('--against');
  if (against) return [{ label: against, dir: path.resolve(against), declared: own }];
  const releases = head.releases;
  if (releases.length === 0) usage('no release is recorded in releases/ yet (npm run release -- <version> records one)');
  const since = option('--since');
  const one = option('--release') ?? (since === undefined ? 'latest' : undefined);
  const wanted = one === 'latest' ? releases.at(-1)!.version : one ?? since!;
  const from = releases.findIndex((r) => r.version === wanted);
  if (from < 0) usage(`${wanted} is not a recorded release (${releases.map((r) => r.version).join(', ')})`);
  const picked = one === undefined ? releases.slice(from) : [releases[from]!];
  return picked.map((r) => {
    const later = releases.filter((l) => compareVersions(l.version, r.version) > 0).flatMap((l) => l.declaredBreakingChanges);
    return { label: `release ${r.version}`, dir: releaseContractDir(root, r.version), declared: [...own, ...later] };
  });
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

function table(rows: readonly CompatRow[]): string {
  const header = ['event type', 'JSON pointer', 'change', 'producers', 'consumers', 'reason'];
  const cells = rows.map((r) => [r.eventType, r.pointer || '/', r.change, r.producers, r.consumers, r.declared === undefined ? r.reason : `declared: ${r.declared}`]);
  if (markdown) {
    const verdict = (v: string): string => (v === 'breaking' ? '❌ breaking' : '✅ safe');
    return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...cells.map((c) => `| \`${c[0]}\` | \`${c[1]}\` | ${cell(c[2]!)} | ${verdict(c[3]!)} | ${verdict(c[4]!)} | ${cell(c[5]!)} |`)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** One line per type whose payload changed or whose version moved: the bump it needs. */
function versionLines(changes: readonly PayloadChange[], label: string): string[] {
  const code = (s: string): string => (markdown ? `\`${s}\`` : s);
  return changes.filter((c) => c.changed || c.after !== c.before).map((c) => {
    const kind = !c.changed ? 'unchanged' : c.breaking ? 'changed, breaking (a new type instead, or declare it)' : 'changed compatibly';
    const ok = c.after === c.needed ? (markdown ? '✅' : 'ok') : (markdown ? '❌' : 'needs a bump: npm run check fails');
    return `${markdown ? '- ' : ''}${code(c.eventType)}: payload ${kind} since ${label}: x-payload-version ${code(c.before)} → ${code(c.needed)}, the contract has ${code(c.after ?? 'none')} (${ok})`;
  });
}

/** `--against-stream`: what the working tree's schemas make of the last entries of a stream. */
async function againstStream(head: ContractData, eventType: string): Promise<number> {
  const type = head.eventTypes.find((t) => t.eventType === eventType);
  if (!type) usage(`"${eventType}" is not an event type of the contract (${head.eventTypes.map((t) => t.eventType).join(', ')})`);
  const sampleText = option('--sample') ?? '100';
  const sample = Number(sampleText);
  if (!Number.isInteger(sample) || sample < 1) usage(`--sample ${sampleText}: a number of entries, at least 1`);
  const url = option('--url') ?? process.env['REDIS_URL'];
  if (!url) usage('no Redis to read: pass --url redis://host:6379 or set REDIS_URL');
  const validate = validatorsOf(head, eventType);
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 5000 } });
  client.on('error', () => undefined); // connect() reports it
  try {
    await client.connect();
  } catch (e) {
    throw new ContractErrors([new ContractError({ file: url, pointer: '', message: `cannot reach Redis (${(e as Error).message || (e as Error).name})`, fix: 'check the URL (--url or REDIS_URL) and that Redis runs' })]);
  }
  let entries: { id: string; text: string | undefined }[];
  try {
    const field = head.binding?.entryField ?? 'envelope';
    const newest = await client.xRevRange(type.streamKey, '+', '-', { COUNT: sample });
    entries = (newest ?? []).reverse().map((e) => ({ id: e.id, text: e.message[field] }));
  } finally {
    await client.close();
  }
  const report = streamConformance(entries, eventType, validate, new Map(patternHints(head)));
  console.log(`compat: the last ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} of ${type.streamKey} (asked for ${sample}), judged by the working tree's schemas:`);
  for (const m of report) {
    console.log(`${m.mode} mode: ${m.rejected} of ${m.total} would be rejected`);
    for (const r of m.reasons) console.log(`  ${r.id}: ${r.reason}`);
  }
  if (report.some((m) => m.rejected > 0)) {
    console.error(`error: real ${eventType} events fail the changed schema (above); fix: loosen the change, or make it a new type (<type>_v2) dual-published beside this one`);
    return 1;
  }
  return 0;
}

await runScript(async () => {
  const head = await readContract(root);
  const stream = option('--against-stream');
  if (stream !== undefined) return againstStream(head, stream);
  let failed = false;
  for (const base of basesOf(head)) {
    if (base.dir === undefined) {
      console.log(`compat: ${base.label} has no contract yet; nothing to compare.`);
      continue;
    }
    // The base is what it was: a contract from before x-lifecycle existed still compares.
    // compat compares the files; npm run check lints the document.
    const old = await readContract(base.dir, { strict: false });
    const rows = compareContracts(old, head, base.declared);
    const breaking = rows.filter(isBreaking);
    const versions = versionLines(payloadChanges(old, head, rows), base.label);
    if (markdown) console.log(`### Contract compatibility since ${base.label}\n`);
    if (rows.length === 0) {
      console.log(`compat: no change to the schemas since ${base.label}.${markdown ? '\n' : ''}`);
      continue;
    }
    console.log(table(rows));
    const declared = rows.filter((r) => r.declared !== undefined).length;
    const summary = `${rows.length} change(s) since ${base.label}, ${breaking.length} breaking${declared ? `, ${declared} declared breaking (let through)` : ''}.`;
    console.log(markdown ? `\n**${summary}**\n` : `\ncompat: ${summary}`);
    if (versions.length > 0) console.log([markdown ? 'Payload versions:\n' : 'payload versions:', ...versions, ''].join('\n'));
    if (breaking.length > 0) failed = true;
  }
  if (failed) {
    console.error('error: breaking change(s) above; fix: undo them, or publish the new shape as a new event type (e.g. <type>_v2) dual-published beside the old one, or declare the change in x-declared-breaking-changes with its reason (README, "Breaking changes")');
    return 1;
  }
  return 0;
}, { wrote: false });
