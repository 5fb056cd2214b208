// The four ways flipstack serves, as the bench starts them on this machine: one process, the
// node:cluster runner, PM2 (ecosystem.config.js through pm2-runtime) and the compose stack.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComposeStack, docker } from '../../testkit/compose';
import { freePort } from '../../testkit/free-port';
import { REPO_ROOT } from './k6';
import { startServed, type ServedProcess } from './served-process';
import { waitForServers } from './wait-for-servers';

export type ModeName = 'standard' | 'cluster' | 'pm2' | 'stack' | 'stack-queue';

export interface RunningMode {
  baseUrl: string;
  /** The compose project of the stack modes, for a look at their containers. */
  stack?: ComposeStack;
  /** Root pids of the serving processes, re-read at every RSS sample (workers respawn). */
  roots(): number[];
  /** Prometheus watching this mode (the stack's monitoring profile), for the report's charts. */
  prometheusUrl?: string;
  stop(): Promise<void>;
}

export interface Mode {
  name: ModeName;
  description: string;
  /** Flips that can run at the same time: processes × FLIP_THREADS (1). */
  flipSlots: number;
  /** Distinct processes (X-Served-By) that answer once the mode is fully up. */
  servers: number;
  /** Why this mode cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  /** monitoring: the stack modes start Prometheus too, for the report's charts (off: less work on the host). */
  start(env: Record<string, string>, options?: { monitoring?: boolean }): Promise<RunningMode>;
}

// As `make up`.
const STACK_REPLICAS = 3;
const workers = (): number => Number(process.env.WEB_CONCURRENCY) || availableParallelism();

function fromServed(served: ServedProcess, cleanup = (): void => {}): RunningMode {
  return {
    baseUrl: served.baseUrl,
    roots: () => [served.pid],
    async stop() {
      await served.stop();
      cleanup();
    },
  };
}

function nodeEntry(name: ModeName, entry: string, description: string, processes: number): Mode {
  const path = join(REPO_ROOT, 'service/dist', entry);
  return {
    name,
    description,
    flipSlots: processes,
    servers: processes,
    unavailable: () => (existsSync(path) ? undefined : `service/dist/${entry} is missing: run npm ci && npm run build`),
    async start(env) {
      return fromServed(
        await startServed({ command: process.execPath, args: [path], port: await freePort(), env, cwd: REPO_ROOT }),
      );
    },
  };
}

function commandWorks(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

function composeInstalled(): boolean {
  return commandWorks('docker', ['compose', 'version']) || commandWorks('docker-compose', ['version']);
}

const pm2Runtime = join(REPO_ROOT, 'node_modules/.bin/pm2-runtime');
const ecosystem = join(REPO_ROOT, 'ecosystem.config.js');

const pm2: Mode = {
  name: 'pm2',
  description: `PM2 cluster mode on the host (ecosystem.config.js via pm2-runtime, ${workers()} instances)`,
  flipSlots: workers(),
  servers: workers(),
  unavailable() {
    if (!existsSync(ecosystem)) return 'ecosystem.config.js is missing (the PM2 issue has not landed)';
    if (!existsSync(pm2Runtime)) return 'pm2-runtime is missing: run npm ci';
    return undefined;
  },
  async start(env) {
    // A private PM2_HOME: the bench must not touch a PM2 daemon the user runs.
    const pm2Home = mkdtempSync(join(tmpdir(), 'flipstack-bench-pm2-'));
    const served = await startServed({
      command: pm2Runtime,
      args: [ecosystem],
      port: await freePort(),
      env: { ...env, PM2_HOME: pm2Home },
      cwd: REPO_ROOT,
      readyTimeoutMs: 60_000,
    });
    return fromServed(served, () => rmSync(pm2Home, { recursive: true, force: true }));
  },
};

/**
 * Starts docker-compose.yml under a bench project on a free port (bringUp starts and waits for its services),
 * waits until `servers` processes answer through nginx, and reports every container's main process.
 */
async function startComposeMode(
  env: Record<string, string>,
  composeEnv: Record<string, string>,
  bringUp: (stack: ComposeStack) => Promise<void>,
  servers: number,
  { monitoring = true }: { monitoring?: boolean } = {},
): Promise<RunningMode> {
  const port = await freePort();
  const prometheusPort = await freePort();
  // The compose file passes the service's settings through to the replicas; HTTP_PORT is nginx's port.
  // The monitoring profile's Prometheus records the runs for the report's per-replica charts.
  const stack = new ComposeStack('bench', {
    ...env,
    ...composeEnv,
    COMPOSE_PROFILES: [composeEnv.COMPOSE_PROFILES, monitoring && 'monitoring'].filter(Boolean).join(','),
    HTTP_BIND: '127.0.0.1',
    HTTP_PORT: String(port),
    PROMETHEUS_PORT: String(prometheusPort),
  });
  try {
    // Base images (stand-ins built where no registry answers), as `make up` does.
    execFileSync('bash', [join(REPO_ROOT, 'deploy/offline-images.sh')], { stdio: 'ignore', timeout: 600_000 });
    await stack.compose('build');
    await bringUp(stack);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForServers(baseUrl, servers);
    // Every container's main process: the replicas' pm2-runtime trees, nginx (and Redis in queue mode).
    const containers = (await stack.compose('ps', '--quiet')).split('\n').filter(Boolean);
    let roots = (await docker('inspect', '--format', '{{.State.Pid}}', ...containers))
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0);
    return {
      baseUrl,
      stack,
      ...(monitoring ? { prometheusUrl: `http://127.0.0.1:${prometheusPort}` } : {}),
      roots: () => roots,
      async stop() {
        roots = [];
        await stack.down();
      },
    };
  } catch (error) {
    await stack.down();
    throw error;
  }
}

function composeUnavailable(): string | undefined {
  if (!existsSync(join(REPO_ROOT, 'docker-compose.yml')))
    return 'docker-compose.yml is missing (the containers issue has not landed)';
  if (!commandWorks('docker', ['info'])) return 'no Docker engine answers (`make up` installs and starts one)';
  if (!composeInstalled()) return 'neither `docker compose` nor `docker-compose` is installed';
  return undefined;
}

/** The compose stack with `replicas` replicas of the service behind nginx. */
export function composeStackMode(replicas: number): Mode {
  return {
    name: 'stack',
    description:
      `compose stack: nginx + ${replicas} service replicas (PM2 inside each); the replicas get only the variables ` +
      'docker-compose.yml passes on, and nginx (proxy_read_timeout) also bounds how long a flip may wait',
    flipSlots: replicas,
    servers: replicas, // at least one process per replica
    unavailable: composeUnavailable,
    start: (env, options) =>
      startComposeMode(
        env,
        {},
        async (stack) => {
          await stack.up(replicas);
          await stack.waitForHealthy(replicas, 180_000);
        },
        replicas,
        options,
      ),
  };
}

// Queue mode (issue 9): C workers = the host's cores, each one PM2 process flipping one job at a time, behind
// two api replicas that enqueue in Redis.
const QUEUE_API_REPLICAS = 2;
const queueWorkers = availableParallelism();

const stackQueue: Mode = {
  name: 'stack-queue',
  description:
    `compose queue mode: nginx + ${QUEUE_API_REPLICAS} api replicas -> Redis -> ${queueWorkers} worker replicas ` +
    '(one flip at a time each; profile `queue`)',
  flipSlots: queueWorkers,
  servers: QUEUE_API_REPLICAS, // the api replicas answer; the workers only flip
  unavailable: composeUnavailable,
  start: (env, options) =>
    startComposeMode(
      env,
      { COMPOSE_PROFILES: 'queue', UPSTREAM_HOST: 'api' },
      async (stack) => {
        const scales = ['service=0', `api=${QUEUE_API_REPLICAS}`, `worker=${queueWorkers}`].flatMap((s) => [
          '--scale',
          s,
        ]);
        await stack.compose('up', '--detach', ...scales);
        await stack.waitForHealthy(QUEUE_API_REPLICAS, 180_000, 'api');
        await stack.waitForHealthy(queueWorkers, 180_000, 'worker');
      },
      QUEUE_API_REPLICAS,
      options,
    ),
};

export const MODES: Mode[] = [
  nodeEntry('standard', 'server.js', 'one process (service/dist/server.js)', 1),
  nodeEntry('cluster', 'cluster.js', `node:cluster runner (service/dist/cluster.js, ${workers()} workers)`, workers()),
  pm2,
  composeStackMode(STACK_REPLICAS),
  stackQueue,
];
