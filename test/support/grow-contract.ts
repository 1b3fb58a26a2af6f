// Grows the contract in a scratch copy of the repository to N event types, by cloning the
// contract's own types under new names (payment.completed -> payment_7.completed), so the scale
// benchmark and the tests measure a contract shaped like today's, only bigger.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { pascalName } from '../../scripts/lib/contract/event-type-name.ts';


/**
 * Copies the repository at `repo` (tracked and untracked-but-not-ignored files, as they are in the
 * working tree) to `dir`, with `node_modules` and `.venv` linked rather than copied.
 *
 * @example
 * scratchCopy(ROOT, '/tmp/scale-300');
 */
export function scratchCopy(repo: string, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = path.join(repo, file);
    try {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      cpSync(from, path.join(dir, file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted in the working tree
    }
  }
  for (const link of ['node_modules', '.venv']) symlinkSync(path.join(repo, link), path.join(dir, link));
}

/**
 * Adds clones of the contract's event types to the contract at `root` until it has `n` types
 * (channel, operation, message with its example, event and payload schemas). Generated files are
 * not touched: run `npm run generate` afterwards.
 *
 * @example
 * growContract('/tmp/scale-300', 300);
 */
export function growContract(root: string, n: number): void {
  const file = path.join(root, 'asyncapi.yaml');
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const originals = Object.keys((doc.get('channels') as { toJSON(): Record<string, unknown> }).toJSON()).sort();
  const section = (name: string): Record<string, unknown> => (doc.getIn(name.split('/')) as { toJSON(): Record<string, unknown> }).toJSON();
  for (let i = originals.length; i < n; i++) {
    const source = originals[i % originals.length]!;
    const [aggregate, verb] = source.split('.') as [string, string];
    const clone = `${aggregate}_${i}.${verb}`;
    const rename = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value).replaceAll(source, clone).replaceAll(pascalName(source), pascalName(clone)));
    doc.setIn(['channels', clone], doc.createNode(rename(section('channels')[source])));
    doc.setIn(['operations', clone], doc.createNode(rename(section('operations')[source])));
    doc.setIn(['components', 'messages', clone], doc.createNode(rename(section('components/messages')[source])));
    for (const dir of [path.join(root, 'schemas'), path.join(root, 'schemas', 'events')]) {
      const text = readFileSync(path.join(dir, `${source}.schema.json`), 'utf8');
      writeFileSync(path.join(dir, `${clone}.schema.json`), text.replaceAll(source, clone).replaceAll(pascalName(source), pascalName(clone)));
    }
  }
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}
