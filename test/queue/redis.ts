/**
 * A private Redis for the queue tests: `redis-server` on a free loopback port, with a temporary
 * directory, append-only persistence and a password, so the tests also cover authentication
 * and a restart that must keep finished results. Skips (with the reason) when it is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_MISSING: string | false =
  spawnSync('redis-server', ['--version'], { encoding: 'utf-8' }).status === 0 ? false : 'redis-server is not installed (run scripts/ensure-redis.sh)';

export const PASSWORD = 's3cret-Pa55:w/rd';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'overparam-redis-'));
  private constructor(readonly port: number) {}

  /** The queue URL, password percent-encoded. */
  get url(): string {
    return `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${this.port}/0`;
  }

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort());
    await r.spawn();
    return r;
  }

  private spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--requirepass', PASSWORD, '--daemonize', 'no', '--loglevel', 'warning'];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    let log = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${log}`)), 10_000);
      const ping = (): void => {
        const r = spawnSync('redis-cli', ['-p', String(this.port), '--no-auth-warning', '-a', PASSWORD, 'ping'], { encoding: 'utf-8' });
        if (r.stdout?.trim() === 'PONG') {
          clearTimeout(timer);
          resolve();
        } else setTimeout(ping, 50);
      };
      p.stdout!.on('data', (b: Buffer) => (log += b.toString()));
      p.stderr!.on('data', (b: Buffer) => (log += b.toString()));
      p.on('exit', (code) => {
        if (this.proc === p && code !== null) reject(new Error(`redis-server exited with ${code}:\n${log}`));
      });
      setTimeout(ping, 50);
    });
  }

  /** Kills the server outright (SIGKILL: no final save) and starts it again on the same data. */
  async restart(downMs = 500): Promise<void> {
    await this.kill();
    await new Promise((r) => setTimeout(r, downMs));
    await this.spawn();
  }

  private kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Runs a redis-cli command against the server. */
  cli(...args: string[]): string {
    return spawnSync('redis-cli', ['-p', String(this.port), '--no-auth-warning', '-a', PASSWORD, ...args], { encoding: 'utf-8' }).stdout.trim();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
