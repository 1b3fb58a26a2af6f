import { loadContract } from './load-contract.js';
import { renderModels } from './render-models.js';
import { renderEventTypes } from './render-event-types.js';
import { compileValidators } from './render-validators.js';

/**
 * Everything under generated/, rendered in memory from the contract at `root`: path relative to
 * `root` -> file content. Deterministic: the same contract always gives the same bytes.
 *
 * @throws {ContractErrors} when the contract has mistakes.
 * @example
 * const files = await renderGenerated(process.cwd());
 * files.get('generated/event-types.ts'); // 'export const EVENT_TYPES = ...'
 */
export async function renderGenerated(root: string): Promise<Map<string, string>> {
  const contract = await loadContract(root);
  const { js, dts } = compileValidators(contract);
  return new Map([
    ['generated/models.ts', await renderModels(contract)],
    ['generated/event-types.ts', renderEventTypes(contract)],
    ['generated/validators.js', js],
    ['generated/validators.d.ts', dts],
  ]);
}
