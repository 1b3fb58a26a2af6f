/** One contender of a comparison: a function run `batch` times per timed sample. */
export interface Contender {
  readonly name: string;
  /** Runs the operation once. Returns something derived from the result, so it cannot be optimised away. */
  readonly run: () => unknown;
}

/** Median time per operation of each contender, in nanoseconds. */
export type Medians = Map<string, number>;

let sink: unknown;

/**
 * Times the contenders side by side in one process: `rounds` rounds, each timing every contender
 * for `batch` operations in a shuffled order, after a warm-up. Interleaving spreads GC pauses,
 * frequency changes and other load over all contenders alike; the median drops the outliers.
 *
 * @example
 * const m = compare([{ name: 'a', run: () => f() }, { name: 'b', run: () => g() }], { rounds: 30, batch: 10_000 });
 */
export function compare(contenders: readonly Contender[], options: { rounds: number; batch: number }): Medians {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  const order = [...contenders];
  for (let round = -3; round < options.rounds; round++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const c of order) {
      const start = process.hrtime.bigint();
      for (let k = 0; k < options.batch; k++) sink = c.run();
      const ns = Number(process.hrtime.bigint() - start) / options.batch;
      if (round >= 0) samples.get(c.name)!.push(ns); // rounds below 0 are warm-up
    }
  }
  return new Map([...samples].map(([name, s]) => [name, median(s)]));
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Keeps the last result alive so the JIT cannot drop the work. */
export const consumed = (): unknown => sink;
