import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Rewrites a file with `change`, and fails the test's setup when the change changed nothing (a
 * fixture whose edit no longer applies would test the unedited contract).
 *
 * @example
 * editFile(path.join(dir, 'asyncapi.yaml'), (t) => t.replace('a', 'b'));
 */
export function editFile(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`fixture: the edit of ${file} changed nothing`);
  writeFileSync(file, after);
}
