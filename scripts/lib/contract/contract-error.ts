/**
 * A mistake in the contract (asyncapi.yaml or schemas/) found by a script: where it is, what is
 * wrong, and how to fix it. Scripts print it as one line and exit non-zero, never a stack trace.
 *
 * @example
 * throw new ContractError({
 *   file: 'asyncapi.yaml',
 *   pointer: '/channels/payment.completed/address',
 *   message: 'address is "payments", expected "events:payment.completed"',
 *   fix: 'set the channel address to events:<eventType>',
 * });
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  /** The file, relative to the repository root. */
  readonly file: string;
  /** JSON pointer into the file ('' for the whole file). */
  readonly pointer: string;
  /** How to fix it. */
  readonly fix: string;
  /** What is wrong, without the place (`message` is `file#pointer: what`). */
  readonly what: string;

  constructor(problem: { file: string; pointer: string; message: string; fix: string }) {
    super(`${problem.file}#${problem.pointer}: ${problem.message}`);
    this.file = problem.file;
    this.pointer = problem.pointer;
    this.fix = problem.fix;
    this.what = problem.message;
  }

  /** The problem as plain data (what the constructor takes): it survives JSON and postMessage. */
  toProblem(): { file: string; pointer: string; message: string; fix: string } {
    return { file: this.file, pointer: this.pointer, message: this.what, fix: this.fix };
  }
}

/**
 * Several contract mistakes at once, so one run reports all of them.
 *
 * @example
 * if (problems.length > 0) throw new ContractErrors(problems);
 */
export class ContractErrors extends Error {
  override readonly name = 'ContractErrors';
  readonly problems: readonly ContractError[];

  constructor(problems: readonly ContractError[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.problems = problems;
  }
}
