// npm run new-event -- <aggregate>.<past-tense-verb> [--producer NAME]: scaffolds an event type
// (schemas, channel, operation, message in draft, example) and regenerates. Then fill in the
// placeholders `npm run check` names.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractError, ContractErrors } from './lib/contract/contract-error.js';
import { runScript } from './lib/run-script.js';
import { scaffoldEvent } from './lib/governance/scaffold-event.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rootArg = option('--root');
const root = path.resolve(rootArg ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const name = args.find((a, i) => !a.startsWith('--') && !['--root', '--producer'].includes(args[i - 1] ?? ''));

await runScript(async () => {
  if (!name) {
    throw new ContractErrors([new ContractError({ file: 'asyncapi.yaml', pointer: '/channels', message: 'no event type given', fix: 'npm run new-event -- order.shipped' })]);
  }
  const files = await scaffoldEvent(root, name, { producer: option('--producer') ?? 'api' });
  console.log(`added ${name}: ${files.join(', ')}; regenerated.\nNext: fill in what npm run check names, then move x-lifecycle to dual-publish when producers start sending it.`);
  return 0;
});
