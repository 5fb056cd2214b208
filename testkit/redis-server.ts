import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server the way `docker restart` does (SIGTERM: AOF flushed), then starts it again on the same data. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server (SIGTERM) and leaves it down until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** KEYS pattern, through redis-cli (from the same Debian package as the server). */
  keys(pattern: string): Promise<string[]>;
  /** Stops the server and removes its directory; safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * A real redis-server (Debian's package; `make` installs it) on a free 127.0.0.1 port, in a temp directory of
 * its own, with the settings the compose file gives Redis: AOF every second, noeviction (extraArgs add to them,
 * e.g. a maxmemory). Call dispose() in an after hook.
 */
export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'flipstack-redis-'));
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir, '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', ...extraArgs],
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(port, child);
  };
  const stop = async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async restart(downMs = 0) {
      await stop();
      await sleep(downMs);
      await start();
    },
    async keys(pattern) {
      const { stdout } = await run('redis-cli', ['-p', String(port), '--raw', 'keys', pattern]);
      return stdout.split('\n').filter(Boolean);
    },
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}
