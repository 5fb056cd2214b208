import { createServer } from 'node:http';
import { once } from 'node:events';
import { createApp } from './http/app';
import { loadConfigOrExit } from './config';
import { armCrashSwitch } from './process/crash-switch';
import { exitOnFatalErrors } from './process/fatal-errors';
import { createFlipRunner } from './engines/flip-runner';
import type { FlipScheduler } from './flip/flip-scheduler';
import { FlipBacklog } from './queue/flip-backlog';
import { JobQueue } from './queue/job-queue';
import type { Lifecycle } from './process/lifecycle';
import { createLogger } from './observability/logger';
import { createMetrics } from './observability/metrics';
import { instanceSetOf, servePeerMetrics } from './observability/replica-metrics';
import { gracefulShutdown } from './process/shutdown';
import { TempDir } from './process/temp-dir';

// One serving process: `npm run start:standard`, each instance of the node:cluster runner or of PM2.
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  exitOnFatalErrors(logger);

  // Queue mode: flips run on workers (worker.ts) behind Redis; inline: in this process's flip threads.
  const jobs = config.mode === 'queue' ? new JobQueue(config.flip, config.jobs, logger) : undefined;
  const scheduler: FlipScheduler = jobs ?? new FlipBacklog(config.flip, createFlipRunner(config.flip));
  const instances = instanceSetOf(config);
  const metrics = createMetrics(scheduler, instances);
  if (instances !== undefined) servePeerMetrics(metrics.registry, instances, logger);
  const tempDir = new TempDir();
  const lifecycle: Lifecycle = { shuttingDown: false };
  const app = createApp({ config, logger, metrics, scheduler, tempDir, lifecycle, jobs });

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
    (await import('./observability/pm2-metrics.js')).reportPm2Metrics(server, scheduler);
  // PM2's wait_ready: the instance counts as online only once it can serve.
  process.send?.('ready');

  const shutdown = gracefulShutdown({
    server,
    flips: scheduler,
    lifecycle,
    logger,
    timeoutMs: config.shutdownTimeoutMs,
  });
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // PM2 with shutdown_with_message asks by IPC message, the only way that also works on Windows.
  process.on('message', (message) => {
    if (message === 'shutdown') shutdown('shutdown message');
  });

  armCrashSwitch(config.crashAfterMsMax, logger);
}

void main();
