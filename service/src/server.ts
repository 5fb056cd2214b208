import { createServer } from 'node:http';
import { once } from 'node:events';
import { createApp } from './http/app';
import { loadConfigOrExit } from './config';
import { armCrashSwitch } from './process/crash-switch';
import { exitOnFatalErrors } from './process/fatal-errors';
import { createFlipRunner } from './engines/flip-engine';
import { FlipQueue } from './queue/flip-queue';
import type { FlipScheduler } from './queue/flip-scheduler';
import { RedisFlips } from './queue/redis-flips';
import type { Lifecycle } from './process/lifecycle';
import { createLogger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { servePeerMetrics, workerSetOf } from './observability/replica-metrics';
import { gracefulShutdown } from './process/shutdown';
import { TempDir } from './process/temp-dir';

// One serving process: `npm run start:standard`, each node:cluster worker, each PM2 instance.
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  exitOnFatalErrors(logger);

  // Queue mode: flips run on worker processes (worker.ts) behind Redis; inline: in this process's threads.
  const jobs = config.mode === 'queue' ? new RedisFlips(config.flip, config.jobs, logger) : undefined;
  const queue: FlipScheduler = jobs ?? new FlipQueue(config.flip, createFlipRunner(config.flip));
  const workers = workerSetOf(config);
  const metrics = createMetrics(queue, workers);
  if (workers !== undefined) servePeerMetrics(metrics.registry, workers, logger);
  const tempDir = new TempDir();
  const lifecycle: Lifecycle = { shuttingDown: false };
  const app = createApp({ config, logger, metrics, queue, tempDir, lifecycle, jobs });

  const server = createServer(app.callback());
  // Longer than nginx's upstream keepalive_timeout (60 s), so nginx always closes an idle upstream connection
  // first and never sends a request on a socket this server is closing at the same moment.
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1000;

  server.listen(config.port, config.host);
  await once(server, 'listening');
  logger.info({ address: server.address(), mode: config.mode, flip: config.flip }, 'listening');
  // `pm2 monit` metrics, only under PM2: loading @pm2/io anywhere else would start its timers for nothing.
  if (config.pm2InstanceId !== undefined)
    (await import('./observability/pm2-metrics.js')).reportPm2Metrics(server, queue);
  // PM2's wait_ready: the instance counts as online only once it can serve.
  process.send?.('ready');

  const shutdown = gracefulShutdown({ server, queue, lifecycle, logger, timeoutMs: config.shutdownTimeoutMs });
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // PM2 with shutdown_with_message asks by IPC message, the only way that also works on Windows.
  process.on('message', (message) => {
    if (message === 'shutdown') shutdown('shutdown message');
  });

  armCrashSwitch(config.crashAfterMsMax, logger);
}

void main();
