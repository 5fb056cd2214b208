import { once } from 'node:events';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'bullmq';
import { loadConfigOrExit } from './config';
import { createFlipRunner } from './engines/flip-runner';
import { createWorkerApp } from './http/worker-app';
import { createLogger } from './observability/logger';
import { instanceSetOf } from './observability/replica-metrics';
import { workerMetrics } from './observability/worker-metrics';
import { exitOnFatalErrors } from './process/fatal-errors';
import type { Lifecycle } from './process/lifecycle';
import { flipProcessor } from './queue/flip-processor';
import { FLIP_QUEUE_NAME } from './queue/job-wire';
import { patientRedis } from './queue/redis-connection';
import { workerFlipEvents } from './queue/worker-flip-events';

// One worker (SERVICE_ROLE=worker): takes flip jobs from the job queue one at a time and runs the flip engine.
// PM2 runs one instance per available CPU, as it does for the api.
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  exitOnFatalErrors(logger);

  const runner = createFlipRunner({ ...config.flip, threads: 1 });
  const redis = patientRedis(config.jobs.redisUrl);
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis'));
  const worker = new Worker(FLIP_QUEUE_NAME, flipProcessor(runner, redis, config.jobs.resultTtlS, logger), {
    connection: patientRedis(config.jobs.redisUrl),
    concurrency: 1,
    // A SIGKILLed worker's job is found stalled once its lock lapses (lockMs) at the next check
    // (stalledIntervalMs) and runs again elsewhere, well inside FLIP_TIMEOUT_MS; the lock is renewed from this
    // event loop, which flips never block (they run on threads or in libvips).
    lockDuration: config.jobs.lockMs,
    stalledInterval: config.jobs.stalledIntervalMs,
    maxStalledCount: config.jobs.maxStalledCount,
    // Per-minute completed and failed counts for /metrics' bullmq_job_*_total, one day of them.
    metrics: { maxDataPoints: 24 * 60 },
  });
  worker.on('error', (error) => logger.warn({ err: error.message }, 'worker'));
  worker.on('completed', (job, result) => logger.info({ jobId: job.id, ms: result.timings.totalMs }, 'flip job done'));
  worker.on('failed', (job, error) => logger.info({ jobId: job?.id, reason: error.message }, 'flip job failed'));

  const lifecycle: Lifecycle = { shuttingDown: false };
  const flips = workerFlipEvents(worker);
  const renderMetrics = workerMetrics(flips, instanceSetOf(config), logger);
  const app = createWorkerApp(logger, lifecycle, () => redis.status === 'ready', renderMetrics);
  const server = createServer(app.callback());
  server.listen(config.port, config.host);
  await once(server, 'listening');
  logger.info(
    { address: server.address(), role: config.role, flip: config.flip, jobs: config.jobs },
    'worker listening',
  );
  // `pm2 monit` metrics, only under PM2 (see server.ts).
  if (config.pm2InstanceId !== undefined)
    (await import('./observability/pm2-worker-metrics.js')).reportWorkerPm2Metrics(flips);
  process.send?.('ready');

  // Graceful stop: take no new job, finish the running flip, then exit. worker.close() waits for that flip with
  // no limit of its own, so SHUTDOWN_TIMEOUT_MS bounds it; a job cut short runs again on another worker.
  const shutdown = (reason: string) => {
    if (lifecycle.shuttingDown) return;
    lifecycle.shuttingDown = true;
    logger.info({ reason }, 'worker shutting down: finishing its flip');
    const closed = worker.close().then(
      () => 0,
      () => 1,
    );
    void Promise.race([closed, sleep(config.shutdownTimeoutMs, 1)]).then(async (code) => {
      server.close();
      await runner.close();
      redis.disconnect();
      logger.info({ code }, 'stopped');
      process.exit(code);
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.on('message', (message) => {
    if (message === 'shutdown') shutdown('shutdown message');
  });
}

void main();
