import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { ContractError, ContractErrors } from './contract/contract-error.js';

type Reply = { readonly ok: unknown } | { readonly problems: ReturnType<ContractError['toProblem']>[] } | { readonly failure: string };

/**
 * Runs the task that the TypeScript `module` serves (see {@link serveInWorker}) on another thread,
 * so that two CPU-bound halves of a script use both cores. The thread starts now, loading its
 * module (and whatever the module preloads) while `data` is still being computed here; the task
 * runs once `data` resolves. Resolves with the task's result; a contract mistake found there is
 * thrown here as the same {@link ContractErrors}.
 *
 * The worker loads tsx itself: on Node 20 a worker does not inherit the parent's `--import tsx`.
 *
 * @example
 * const problems = await runInWorker<Problem[]>(new URL('./lint-worker.ts', import.meta.url), readContract(root));
 */
export function runInWorker<T>(module: URL, data: unknown): Promise<T> {
  // Resolved here: code evaluated in a worker resolves bare specifiers from the cwd, not from here.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
  const worker = new Worker(boot, { eval: true });
  return new Promise<T>((resolve, reject) => {
    const fail = (e: unknown): void => {
      void worker.terminate();
      reject(e);
    };
    worker.once('message', (reply: Reply) => {
      void worker.terminate();
      if ('ok' in reply) resolve(reply.ok as T);
      else if ('problems' in reply) reject(new ContractErrors(reply.problems.map((p) => new ContractError(p))));
      else reject(new Error(`in a worker thread: ${reply.failure}`));
    });
    worker.once('error', fail);
    worker.once('exit', (code) => reject(new Error(`the worker thread for ${module.pathname} exited (${code}) without a reply`)));
    Promise.resolve(data).then((value) => worker.postMessage(value), fail);
  });
}

/**
 * Serves `task` in a module started by {@link runInWorker}: calls it with the data the parent
 * posts and posts back its result (structured-cloneable), or its contract errors as plain data.
 *
 * @example
 * serveInWorker(async (contract: ContractData) => lint(contract));
 */
export function serveInWorker<I, O>(task: (data: I) => Promise<O>): void {
  if (isMainThread || !parentPort) throw new Error('serveInWorker: not in a worker thread (start it with runInWorker)');
  const port = parentPort;
  port.once('message', (data: I) => {
    task(data).then(
      (ok) => port.postMessage({ ok } satisfies Reply),
      (e: unknown) => {
        const problems = e instanceof ContractErrors ? e.problems : e instanceof ContractError ? [e] : undefined;
        port.postMessage((problems ? { problems: problems.map((p) => p.toProblem()) } : { failure: e instanceof Error ? (e.stack ?? e.message) : String(e) }) satisfies Reply);
      },
    );
  });
}
