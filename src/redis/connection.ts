import { REDIS_SCRIPTS } from '../../generated/redis-protocol.js';
import type { ScriptCall } from './consumer-core.js';

/**
 * A node-redis client (`createClient`) or cluster (`createCluster`), connected. Only what the
 * binding uses is named here, so the package needs no `redis` import: commands go through
 * `sendCommand` as raw arguments, with command options (node-redis 5 and 6) so that replies the
 * consumer reads come back as raw bytes, never decoded with U+FFFD in place of bad UTF-8.
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
/** Per-command options node-redis takes: `typeMapping` decides how replies are decoded. */
// Typed without Node's types (the package's declarations must not need @types/node): arguments are
// declared as strings, and Buffers (raw bytes) are passed through at run time, as node-redis takes both.
type CommandOptions = { typeMapping?: { 36?: unknown } };
type Argument = string;
export type RedisClientLike =
  | ({ sendCommand(args: Argument[], options?: CommandOptions): Promise<unknown> } & Lifecycle)
  | ({ sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: Argument[], options?: CommandOptions): Promise<unknown>; masters: unknown } & Lifecycle);

/** One command to the node that owns `key`; replies as raw bytes (`Buffer`) when `raw` is set. */
export type SendCommand = (key: string, args: readonly (string | number | Uint8Array)[], raw?: boolean) => Promise<unknown>;

// RESP_TYPES.BLOB_STRING of node-redis ('$'): bulk strings as Buffers, the bytes Redis holds.
const RAW: CommandOptions = { typeMapping: { 36: Buffer } };

/**
 * How to send commands through a client or a cluster (which needs the key to route).
 *
 * @example
 * const send = commandsOf(redis);
 * await send('events:payment.completed', ['XLEN', 'events:payment.completed']);
 */
export function commandsOf(client: RedisClientLike): SendCommand {
  const args = (list: readonly (string | number | Uint8Array)[]): Argument[] =>
    list.map((a) => (typeof a === 'number' ? String(a) : typeof a === 'string' || Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength))) as Argument[];
  if ('masters' in client) return (key, list, raw) => client.sendCommand(key, false, args(list), raw ? RAW : undefined);
  const plain = client as { sendCommand(args: Argument[], options?: CommandOptions): Promise<unknown> };
  return (_key, list, raw) => plain.sendCommand(args(list), raw ? RAW : undefined);
}

/**
 * Runs one of the protocol's scripts: EVALSHA, and EVAL with the text when Redis answers NOSCRIPT
 * (a restart or `SCRIPT FLUSH` empties its script cache). Replies come back as raw bytes.
 *
 * @example
 * const reply = await runScript(send, { script: 'commit', keys, args });
 */
export async function runScript(send: SendCommand, call: ScriptCall): Promise<unknown> {
  const script = REDIS_SCRIPTS[call.script];
  const tail = [String(call.keys.length), ...call.keys, ...call.args];
  try {
    return await send(call.keys[0]!, ['EVALSHA', script.sha1, ...tail], true);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return send(call.keys[0]!, ['EVAL', script.text, ...tail], true);
  }
}

/**
 * A connection of its own for blocking reads (XREADGROUP ... BLOCK): on a shared connection a
 * blocked read would hold up every other command.
 *
 * @example
 * const reader = await isolatedConnection(redis, (e) => console.error(e));
 * await reader.send(key, ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 2000, 'STREAMS', key, '>'], true);
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
