// npm run check: lints the contract (part of npm test and CI). One line per problem:
// file#pointer: what is wrong; fix: how. Exit 1 when there is any.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractErrors } from './lib/contract/contract-error.js';
import { lintContractInWorker } from './lib/governance/lint-contract.js';
import { lintDocument } from './lib/governance/lint-document.js';
import { readContract } from './lib/contract/load-contract.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const rootArg = args.includes('--root') ? args[args.indexOf('--root') + 1] : undefined;
const todayArg = args.includes('--today') ? args[args.indexOf('--today') + 1] : undefined;
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

await runScript(async () => {
  const today = todayArg ? new Date(`${todayArg}T00:00:00Z`) : new Date();
  // Two halves, each on its core: our lint (ajv compiles every schema) on a worker thread, the
  // parser's rules here. The parser's problems come first: they are about the document itself.
  const reading = readContract(root);
  const lint = lintContractInWorker(reading, { today });
  lint.catch(() => undefined); // awaited below, after the contract (whose errors come first)
  const contract = await reading;
  const problems = [...(await lintDocument(contract)), ...(await lint)];
  if (problems.length > 0) throw new ContractErrors(problems);
  console.log(`check: the contract is clean (${contract.eventTypes.length} event types, ${contract.schemas.length} schemas)`);
  return 0;
}, { wrote: false });
