// npm run compat -- --base <git-ref> | --against <dir>: compares the contract with an earlier
// version and prints, per change, its verdict for producers and consumers. Exit 1 on a breaking
// change; a new major version goes in as a new event type, dual-published beside the old one.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractError, ContractErrors } from './lib/contract/contract-error.js';
import { compareContracts, isBreaking, type CompatRow } from './lib/governance/compare-contracts.js';
import { contractAtRef } from './lib/contract/contract-at-ref.js';
import { readContract } from './lib/contract/load-contract.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = path.resolve(option('--root') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

function table(rows: readonly CompatRow[]): string {
  const header = ['event type', 'JSON pointer', 'change', 'producers', 'consumers', 'reason'];
  const cells = rows.map((r) => [r.eventType, r.pointer || '/', r.change, r.producers, r.consumers, r.declared === undefined ? r.reason : `declared: ${r.declared}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

await runScript(async () => {
  const ref = option('--base');
  const against = option('--against');
  if (!ref === !against) {
    throw new ContractErrors([new ContractError({ file: 'asyncapi.yaml', pointer: '', message: 'compare with what?', fix: 'pass --base <git-ref> (e.g. main, HEAD~1) or --against <folder with asyncapi.yaml and schemas/>' })]);
  }
  const baseDir = ref ? contractAtRef(root, ref) : path.resolve(against!);
  if (baseDir === undefined) {
    console.log(`compat: ${ref} has no contract yet; nothing to compare.`);
    return 0;
  }
  // The base is what it was: a contract from before x-lifecycle existed still compares.
  // compat compares the files; npm run check lints the document.
  const [base, head] = await Promise.all([readContract(baseDir, { strict: false }), readContract(root)]);
  const rows = compareContracts(base, head);
  const breaking = rows.filter(isBreaking);
  if (rows.length === 0) {
    console.log(`compat: no change to the schemas since ${ref ?? against}.`);
    return 0;
  }
  console.log(table(rows));
  const declared = rows.filter((r) => r.declared !== undefined).length;
  console.log(`\ncompat: ${rows.length} change(s) since ${ref ?? against}, ${breaking.length} breaking${declared ? `, ${declared} declared breaking (let through)` : ''}.`);
  if (breaking.length > 0) {
    console.error('error: breaking change(s) above; fix: undo them, or publish the new shape as a new event type (e.g. <type>_v2) dual-published beside the old one (README, "Breaking changes")');
    return 1;
  }
  return 0;
}, { wrote: false });
