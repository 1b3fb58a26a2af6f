import { readContract, withDocument } from '../contract/load-contract.js';
import { renderModels } from './render-models.js';
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
  // The Python tools (seconds per hundred types) need only the files: they start first, in their
  // own process, and the parser, ajv and Modelina run meanwhile on the other core.
  const data = await readContract(root);
  const python = renderPython(data, patternHints(data));
  python.catch(() => undefined); // awaited below; a contract error from the parser wins
  const contract = await withDocument(data, { lint: false }); // npm run check lints
  const { files: validators } = compileValidators(contract);
  const models = await renderModels(contract);
  return new Map([
    ['generated/models.ts', models],
    ['generated/event-types.ts', renderEventTypes(contract)],
    ['generated/redis-protocol.ts', renderRedisProtocol(contract)],
    ...validators,
    ['docs/events.md', renderDocsMarkdown(contract)],
    ...(await python),
  ]);
}
