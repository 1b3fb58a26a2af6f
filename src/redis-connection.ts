/**
 * A node-redis client (`createClient`) or cluster (`createCluster`), connected. Only what the
 * binding uses is named here, so the package needs no `redis` import: commands go through
 * `sendCommand` as raw RESP2 arguments, which both client kinds accept and every node-redis
 * version since 4 understands the same way.
 *
 * @example
 * const client = await createClient({ url: 'redis://localhost:6379' }).connect();
 */
interface Lifecycle {
  duplicate(): RedisClientLike;
  connect(): Promise<unknown>;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  destroy?(): void;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}
export type RedisClientLike =
  | ({ sendCommand(args: string[]): Promise<unknown> } & Lifecycle)
  | ({ sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>; masters: unknown } & Lifecycle);

/** One command to the node that owns `key`. */
export type SendCommand = (key: string, args: readonly (string | number)[]) => Promise<unknown>;

/**
 * How to send commands through a client or a cluster (which needs the key to route).
 *
 * @example
 * const send = commandsOf(redis);
 * await send('events:payment.completed', ['XLEN', 'events:payment.completed']);
 */
export function commandsOf(client: RedisClientLike): SendCommand {
  const strings = (args: readonly (string | number)[]): string[] => args.map(String);
  if ('masters' in client) return (key, args) => client.sendCommand(key, false, strings(args));
  return (_key, args) => (client as { sendCommand(args: string[]): Promise<unknown> }).sendCommand(strings(args));
}

/**
 * A connection of its own for blocking reads (XREADGROUP ... BLOCK): on a shared connection a
 * blocked read would hold up every other command.
 *
 * @example
 * const reader = await isolatedConnection(redis, (e) => console.error(e));
 * await reader.send(key, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 2000, 'STREAMS', key, '>']);
 * reader.close();
 */
export async function isolatedConnection(client: RedisClientLike, onError: (error: Error) => void): Promise<{ send: SendCommand; close(): void }> {
  const copy = client.duplicate();
  // A lost connection is reported here and retried by the caller; node-redis reconnects by itself.
  copy.on?.('error', onError);
  await copy.connect();
  return {
    send: commandsOf(copy),
    close: () => {
      try {
        if (copy.destroy) copy.destroy();
        else void (copy.close ?? copy.quit)?.call(copy).catch(() => undefined);
      } catch {
        // already closed
      }
    },
  };
}
