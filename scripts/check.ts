// npm run check: lints the contract (part of npm test and CI). One line per problem:
// file#pointer: what is wrong; fix: how. Exit 1 when there is any.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractErrors } from './lib/contract/contract-error.js';
import { checkContract } from './lib/governance/check-contract.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const todayArg = args.includes('--today') ? args[args.indexOf('--today') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

await runScript(async () => {
  const today = todayArg ? new Date(`${todayArg}T00:00:00Z`) : new Date();
  const { contract, problems } = await checkContract(root, { today });
  if (problems.length > 0) throw new ContractErrors(problems);
  console.log(`check: the contract is clean (${contract.eventTypes.length} event types, ${contract.schemas.length} schemas)`);
  return 0;
}, { wrote: false });
