import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import { availableCpus } from './process/available-cpus';
import { loadConfigOrExit } from './config';
import { createLogger } from './observability/logger';

// The node:cluster baseline the benchmarks compare PM2 against: one server.js instance (a cluster worker) per
// available CPU, respawned with backoff when it dies unexpectedly, stopped gracefully on SIGINT/SIGTERM.
const RESTART_DELAY_MS = 100;
const RESTART_DELAY_MAX_MS = 5000;
// An instance that dies sooner is crash-looping (a bad deploy, a missing file) and the delay doubles; one that lived
// longer resets it. Kept short so that the crash switch's random deaths, seconds apart, are respawned at once:
// while every instance is down node:cluster closes the port.
const STABLE_AFTER_MS = 1000;

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
const size = config.webConcurrency ?? availableCpus();
const startedAt = new Map<Worker, number>();
// Each instance's number, kept by its replacement: like PM2's NODE_APP_INSTANCE, it picks the instance's
// loopback metrics port (observability/replica-metrics.ts).
const instanceOf = new Map<Worker, number>();
const pendingRestarts = new Set<NodeJS.Timeout>();
let quickDeaths = 0;
let stopping = false;
let stopExitCode = 0;

cluster.setupPrimary({ exec: join(__dirname, 'server.js') });

function fork(instance: number): void {
  const worker = cluster.fork({ NODE_APP_INSTANCE: String(instance) });
  startedAt.set(worker, Date.now());
  instanceOf.set(worker, instance);
}

cluster.on('exit', (worker, code, signal) => {
  const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
  startedAt.delete(worker);
  const instance = instanceOf.get(worker)!;
  instanceOf.delete(worker);
  if (stopping) {
    if (code !== 0) stopExitCode = 1;
    if (startedAt.size === 0) {
      logger.info({ code: stopExitCode }, 'all instances stopped');
      process.exit(stopExitCode);
    }
    return;
  }
  if (worker.exitedAfterDisconnect) return;
  quickDeaths = lived >= STABLE_AFTER_MS ? 0 : quickDeaths + 1;
  const delay = Math.min(RESTART_DELAY_MAX_MS, RESTART_DELAY_MS * 2 ** quickDeaths);
  logger.warn(
    { pid: worker.process.pid, code, signal, livedMs: lived, restartInMs: delay },
    'instance died; restarting',
  );
  const timer = setTimeout(() => {
    pendingRestarts.delete(timer);
    fork(instance);
  }, delay);
  pendingRestarts.add(timer);
});

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, instances: startedAt.size }, 'stopping instances gracefully');
  for (const timer of pendingRestarts) clearTimeout(timer);
  if (startedAt.size === 0) process.exit(0);
  // A signal straight to each worker, not worker.kill(): that would disconnect IPC first, and a disconnected
  // cluster worker closes its listener before its own graceful shutdown gets to run.
  for (const worker of startedAt.keys()) worker.process.kill(signal);
}

process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

logger.info({ instances: size, pid: process.pid }, 'cluster primary starting instances');
for (let i = 0; i < size; i++) fork(i);
