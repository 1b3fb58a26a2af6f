// npm run check: lints the contract (part of npm test and CI). One line per problem:
// file#pointer: what is wrong; fix: how. Exit 1 when there is any.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { ContractError, ContractErrors } from './lib/contract-error.js';
import { renderEventTypes } from './lib/render-event-types.js';
import { renderRedisProtocol } from './lib/render-redis-protocol.js';
import { lintContract } from './lib/lint-contract.js';
import { loadContract } from './lib/load-contract.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const todayArg = args.includes('--today') ? args[args.indexOf('--today') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

await runScript(async () => {
  const today = todayArg ? new Date(`${todayArg}T00:00:00Z`) : new Date();
  const contract = await loadContract(root);
  const problems = await lintContract(contract, { today });
  // The generated files that are cheap to render: a type added without `npm run generate` shows
  // here (the full drift check, every file, is `npm run generate:check`, which CI runs).
  for (const [file, content] of [['generated/event-types.ts', renderEventTypes(contract)], ['generated/redis-protocol.ts', renderRedisProtocol(contract)]] as const) {
    const current = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
    if (current !== content && !problems.some((p) => p.file === file)) problems.push(new ContractError({ file, pointer: '', message: current === undefined ? 'missing' : 'stale: it was generated from another contract', fix: 'run npm run generate and commit the result' }));
  }
  if (problems.length > 0) throw new ContractErrors(problems);
  console.log(`check: the contract is clean (${contract.eventTypes.length} event types, ${contract.schemas.length} schemas)`);
  return 0;
}, { wrote: false });
