import { ContractError, ContractErrors } from './contract-error.js';

/**
 * Runs a script's main function with the project's error contract: a user mistake
 * ({@link ContractError}) prints one line per problem with its fix and exits 1, never a stack
 * trace; anything else is a bug in the script and prints its stack, exit 70 (EX_SOFTWARE).
 *
 * @example
 * await runScript(async () => { ... return 0; });
 */
export async function runScript(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (e) {
    const problems = e instanceof ContractErrors ? e.problems : e instanceof ContractError ? [e] : undefined;
    if (!problems) {
      console.error('internal error (a bug in this script, please report it):');
      console.error(e);
      process.exitCode = 70;
      return;
    }
    for (const p of problems) console.error(`error: ${p.message}\n  fix: ${p.fix}`);
    console.error(`${problems.length} problem(s); nothing was written.`);
    process.exitCode = 1;
  }
}
