// The worker thread of `renderModelsInWorker`: renders the models of the contract it is sent.
import type { ContractData } from '../contract/load-contract.js';
import { serveInWorker } from '../run-in-worker.js';
import { renderModels } from './render-models.js';

// Modelina takes seconds to load: it loads while the parent is still reading the contract.
void import('@asyncapi/modelina');
serveInWorker(renderModels as (contract: ContractData) => Promise<string>);
