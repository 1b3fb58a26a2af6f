// npm run release -- <version> [--date YYYY-MM-DD]: records a release of the contract in
// releases/<version>/ (see scripts/lib/governance/cut-release.ts), with every version in step,
// after the contract passes npm run check, and regenerates what depends on it. Commit the result.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractErrors } from './lib/contract/contract-error.js';
import { cutRelease } from './lib/governance/cut-release.js';
import { checkContract } from './lib/governance/check-contract.js';
import { writeGenerated } from './lib/render/write-generated.js';
import { runScript } from './lib/run-script.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const root = path.resolve(option('--root') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const version = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]!.startsWith('--')));

await runScript(async () => {
  const today = new Date();
  // A release is what check passes: its payload versions are what the next one compares with.
  const { problems } = await checkContract(root, { today });
  if (problems.length > 0) throw new ContractErrors(problems);
  const release = await cutRelease(root, version ?? '', { date: option('--date') ?? today.toISOString().slice(0, 10) });
  await writeGenerated(root);
  console.log(`released ${release.version}: releases/${release.version}/ (${Object.keys(release.payloadVersions).length} event types, ${release.declaredBreakingChanges.length} declared breaking change(s) moved into its record); package.json, python/pyproject.toml and info.version are ${release.version}`);
  console.log('next: npm run build, then commit (the record, the versions, the regenerated files)');
  return 0;
});
