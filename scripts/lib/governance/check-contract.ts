import type { ContractError } from '../contract/contract-error.js';
import { readContract, type ContractData } from '../contract/load-contract.js';
import { lintContractInWorker } from './lint-contract.js';
import { lintDocument } from './lint-document.js';

/**
 * Everything `npm run check` checks, on the contract at `root`: our lint (ajv compiles every
 * schema) on a worker thread while the parser's rules run here, each on its core. The parser's
 * problems come first: they are about the document itself.
 *
 * @throws {ContractErrors} when the contract does not read at all (readContract's problems).
 * @example
 * const { contract, problems } = await checkContract(root, { today: new Date() });
 */
export async function checkContract(root: string, options: { today: Date }): Promise<{ contract: ContractData; problems: ContractError[] }> {
  const reading = readContract(root);
  const lint = lintContractInWorker(reading, options);
  lint.catch(() => undefined); // awaited below, after the contract (whose errors come first)
  const contract = await reading;
  return { contract, problems: [...(await lintDocument(contract)), ...(await lint)] };
}
