import { readContract } from '../contract/load-contract.js';
import { renderModelsInWorker } from './render-models.js';
import { renderEventTypes } from './render-event-types.js';
import { compileValidators, patternHints } from './render-validators.js';
import { renderPython } from './render-python.js';
import { renderDocsMarkdown } from './render-docs-markdown.js';
import { renderRedisProtocol } from './render-redis-protocol.js';

/**
 * The folders whose every file is generated: a file there that the contract no longer produces
 * is stale and is removed by `npm run generate` (and reported by `--check`).
 */
export const GENERATED_DIRS = ['generated', 'python/src/goodgo_contracts_events/_generated', 'python/src/goodgo_contracts_events/contract'] as const;

/**
 * Everything generated (generated/ and the Python package's generated files), rendered in memory from the contract at `root`: path relative to
 * `root` -> file content. Deterministic: the same contract always gives the same bytes.
 *
 * @throws {ContractErrors} when the contract has mistakes.
 * @example
 * const files = await renderGenerated(process.cwd());
 * files.get('generated/event-types.ts'); // 'export const EVENT_TYPES = ...'
 */
export async function renderGenerated(root: string): Promise<Map<string, string>> {
  // Everything renders from the files (npm run check runs the parser's rules on the document),
  // in three places at once: Modelina on a worker thread, the Python tools in their own process,
  // and ajv here.
  const reading = readContract(root);
  const models = renderModelsInWorker(reading);
  models.catch(() => undefined); // awaited below, after the contract (whose errors come first)
  const contract = await reading;
  const python = renderPython(contract, patternHints(contract));
  python.catch(() => undefined);
  const { files: validators } = compileValidators(contract);
  return new Map([
    ['generated/models.ts', await models],
    ['generated/event-types.ts', renderEventTypes(contract)],
    ['generated/redis-protocol.ts', renderRedisProtocol(contract)],
    ...validators,
    ['docs/events.md', renderDocsMarkdown(contract)],
    ...(await python),
  ]);
}
