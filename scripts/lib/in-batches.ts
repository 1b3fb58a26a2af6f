/**
 * Calls `each` on every item, a batch of `size` at a time, and waits for all: thousands of file
 * writes one by one took seconds at 300 event types, all at once they would run out of file
 * descriptors; a few dozen at a time keep libuv's thread pool busy.
 *
 * @example
 * await inBatches([...files], ([file, text]) => writeFile(file, text));
 */
export async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<unknown>, size = 64): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}
