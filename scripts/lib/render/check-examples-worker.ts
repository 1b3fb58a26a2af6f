// The worker thread of `checkContractExamplesInWorker`: checks the examples of the contract it is sent.
import type { ContractData } from '../contract/load-contract.js';
import { serveInWorker } from '../run-in-worker.js';
import { checkContractExamples } from './render-validators.js';

serveInWorker(async (contract: ContractData) => checkContractExamples(contract));
