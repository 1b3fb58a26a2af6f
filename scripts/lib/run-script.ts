import { ContractError, ContractErrors } from './contract/contract-error.js';

/**
 * Runs a script's main function with the project's error contract: a user mistake
 * ({@link ContractError}) prints one line per problem (`file#pointer: what; fix: how`) and exits
 * 1, never a stack trace; anything else is a bug in the script and prints its stack, exit 70
 * (EX_SOFTWARE). `wrote: false` for scripts that never write (the summary then says nothing of it).
 *
 * @example
 * await runScript(async () => { ... return 0; });
 */
export async function runScript(main: () => Promise<number>, options: { wrote?: boolean } = {}): Promise<void> {
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
    for (const p of problems) console.error(`error: ${p.message}; fix: ${p.fix}`);
    console.error(`${problems.length} problem(s)${options.wrote === false ? '' : '; nothing was written'}.`);
    process.exitCode = 1;
  }
}
