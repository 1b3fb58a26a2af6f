import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';

/**
 * A real redis-server (Debian's package; `npm run setup` installs it) on a free loopback port, in a
 * temporary directory, stopped by `stop()`. No mocks of Redis in the tests.
 */
export class RedisServer {
  readonly dir: string;
  private process: ChildProcess | undefined;

  private constructor(readonly port: number, private readonly extra: readonly string[]) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  }

  static async start(options: { aof?: boolean; extra?: readonly string[] } = {}): Promise<RedisServer> {
    const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`no ${REDIS_SERVER}: install Debian's redis-server (npm run setup does it as root) or set REDIS_SERVER`);
    const server = new RedisServer(await freePort(), [...(options.aof ? ['--appendonly', 'yes', '--appendfsync', 'always'] : []), ...(options.extra ?? [])]);
    await server.boot();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or starts again, with the same directory and data) the server process. */
  async boot(): Promise<void> {
    this.process = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--daemonize', 'no', ...this.extra], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (spawnSync('redis-cli', ['-p', String(this.port), 'PING'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** Kills the server process (as a crash would), keeping its directory for boot(). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** redis-cli against this server. */
  cli(...args: string[]): string {
    return spawnSync('redis-cli', ['-p', String(this.port), ...args], { encoding: 'utf8' }).stdout.trim();
  }
}
