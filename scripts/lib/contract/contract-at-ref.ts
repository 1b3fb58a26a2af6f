import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContractError, ContractErrors } from './contract-error.js';
import { CONTRACT_FILES } from './contract-files.js';

/**
 * Extracts the contract (asyncapi.yaml, schemas/, redis/) as it was at a git ref into a temporary
 * folder and returns the folder, or `undefined` when the ref has no contract yet.
 *
 * @throws {ContractErrors} when the ref does not exist.
 * @example
 * const dir = contractAtRef(process.cwd(), 'HEAD~1');
 */
export function contractAtRef(root: string, ref: string): string | undefined {
  const git = (args: string[], input?: Buffer): Buffer => execFileSync('git', ['-C', root, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) });
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new ContractErrors([new ContractError({ file: '.git', pointer: '', message: `"${ref}" is not a commit here`, fix: 'pass a branch, tag or commit: npm run compat -- --base main' })]);
  }
  try {
    git(['cat-file', '-e', `${ref}:asyncapi.yaml`]);
  } catch {
    return undefined;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'contract-base-'));
  // Older commits may lack a part (redis/ came with the structured binding): archive what exists.
  const present = CONTRACT_FILES.filter((entry) => {
    try {
      git(['cat-file', '-e', `${ref}:${entry}`]);
      return true;
    } catch {
      return false;
    }
  });
  const archive = git(['archive', '--format=tar', ref, ...present]);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  return dir;
}
