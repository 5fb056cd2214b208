import type { Job, Worker } from 'bullmq';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger';
import { flipHistograms } from './metrics';
import { replicaMetrics, servePeerMetrics, type WorkerSet } from './replica-metrics';
import { failureToHttpError } from '../queue/job-failure';
import type { FlipJobData, FlipJobResult } from '../queue/job-wire';

/**
 * A queue worker's /metrics: its process figures and its flips — run time by outcome and the wait from the api's
 * enqueue to this worker's start (the deployment-wide queue) — merged over the replica's worker processes as an
 * api's are, so Prometheus's `worker` targets read like the others.
 */
export function workerMetrics(
  worker: Worker<FlipJobData, FlipJobResult>,
  workers: WorkerSet | undefined,
  logger: Logger,
): () => Promise<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { flipDuration, queueWait } = flipHistograms(registry);
  const ranSeconds = (job: Job) => ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
  worker.on('active', (job) => queueWait.observe(((job.processedOn ?? Date.now()) - job.timestamp) / 1000));
  worker.on('completed', (job) => flipDuration.observe({ outcome: 'ok' }, ranSeconds(job)));
  worker.on('failed', (job, error) => {
    if (job !== undefined) flipDuration.observe({ outcome: failureToHttpError(error.message).code }, ranSeconds(job));
  });
  if (workers === undefined) return () => registry.metrics();
  servePeerMetrics(registry, workers, logger);
  return replicaMetrics(registry, workers);
}
