import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../../testkit/free-port';
import { waitForHttp } from '../../testkit/wait-for-http';

const run = promisify(execFile);
export const repoRoot = resolve(__dirname, '..', '..');
export const pm2Bin = join(repoRoot, 'node_modules', 'pm2', 'bin', 'pm2');
export const pm2RuntimeBin = join(repoRoot, 'node_modules', 'pm2', 'bin', 'pm2-runtime');

/** One PM2 instance as `pm2 jlist` reports it, with the fields the tests read. */
export interface Pm2Process {
  pm_id: number;
  pid: number;
  pm2_env: {
    status: string;
    restart_time: number;
    axm_monitor?: Record<string, { value: unknown }>;
  };
}

/**
 * A fresh PM2_HOME and the environment that keeps PM2 off the network: PM2 pings version.pm2.io on a home's
 * first use (unless its `touch` file exists) and daily from the daemon. After the test, stopPm2 runs first
 * (PM2's commands reach the daemon through sockets in its home), then the directory is removed.
 */
export async function createPm2Home(
  t: TestContext,
  stopPm2: () => unknown,
): Promise<{ home: string; env: Record<string, string> }> {
  const home = await mkdtemp(join(tmpdir(), 'flipstack-pm2-'));
  t.after(async () => {
    try {
      await stopPm2();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
  await writeFile(join(home, 'touch'), String(Date.now()));
  return { home, env: { PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true' } };
}

export interface Pm2Cluster {
  /** The port every instance shares (PM2 cluster mode: node:cluster's primary owns the socket). */
  port: number;
  home: string;
  pm2(...args: string[]): Promise<string>;
  list(): Promise<Pm2Process[]>;
  /** Polls `pm2 jlist` until every instance satisfies the predicate, for at most timeoutMs. */
  waitFor(
    description: string,
    predicate: (processes: Pm2Process[]) => boolean,
    timeoutMs?: number,
  ): Promise<Pm2Process[]>;
  /** PM2's own log (starts, exits with their codes, restarts). */
  daemonLog(): Promise<string>;
}

/**
 * Starts the repository's ecosystem.config.js (or what startArgs name) with real PM2, in a PM2_HOME of its own so nothing touches the
 * user's ~/.pm2 or another test's daemon; `pm2 kill` and the directory's removal run after the test, even on failure.
 */
export async function startPm2Cluster(
  t: TestContext,
  env: Record<string, string>,
  startArgs = ['start', 'ecosystem.config.js'],
): Promise<Pm2Cluster> {
  const { home, env: homeEnv } = await createPm2Home(t, () =>
    pm2('kill').catch((error: unknown) => t.diagnostic(`pm2 kill failed: ${String(error)}`)),
  );
  const port = await freePort();
  // Workers serve their registries to each other from here up (observability/replica-metrics.ts).
  const metricsPeerPort = await freePort();
  const processEnv = {
    ...process.env,
    ...homeEnv,
    METRICS_PEER_PORT: String(metricsPeerPort),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env,
  };
  const pm2 = async (...args: string[]) =>
    (await run(process.execPath, [pm2Bin, ...args], { cwd: repoRoot, env: processEnv })).stdout;

  const list = async () => JSON.parse(await pm2('jlist')) as Pm2Process[];
  const waitFor = async (description: string, predicate: (processes: Pm2Process[]) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const processes = await list();
      if (processes.length > 0 && predicate(processes)) return processes;
      if (Date.now() > deadline)
        throw new Error(`PM2: not ${description} within ${timeoutMs} ms: ${summary(processes)}`);
      await sleep(250);
    }
  };
  await pm2(...startArgs);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  return { port, home, pm2, list, waitFor, daemonLog: () => readFile(join(home, 'pm2.log'), 'utf8') };
}

export function summary(processes: Pm2Process[]): string {
  return processes.map((p) => `#${p.pm_id} pid ${p.pid} ${p.pm2_env.status} ↺${p.pm2_env.restart_time}`).join(', ');
}

export const totalRestarts = (processes: Pm2Process[]) => processes.reduce((sum, p) => sum + p.pm2_env.restart_time, 0);

/** A custom metric from the service's pm2-metrics, as `pm2 monit` shows it. */
export function customMetric(process: Pm2Process, name: string): unknown {
  return process.pm2_env.axm_monitor?.[name]?.value;
}
