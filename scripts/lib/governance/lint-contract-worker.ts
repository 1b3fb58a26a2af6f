// The worker thread of `lintContractInWorker`: lints the contract it is sent.
import type { ContractData } from '../contract/load-contract.js';
import { serveInWorker } from '../run-in-worker.js';
import { lintContract } from './lint-contract.js';

serveInWorker(async ({ contract, today }: { contract: ContractData; today: string }) => {
  const problems = await lintContract(contract, { today: new Date(today) });
  return problems.map((p) => p.toProblem());
});
