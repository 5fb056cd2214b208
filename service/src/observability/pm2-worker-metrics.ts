import io from '@pm2/io';
import { MetricMeasurements } from '@pm2/io/build/main/services/metrics';
import type { Worker } from 'bullmq';
import type { FlipJobData, FlipJobResult } from '../queue/job-wire';
import { rate } from './pm2-metrics';

/**
 * The "Custom metrics" panel of `pm2 monit` for a queue-mode worker process: its flips per minute, p95 flip
 * time and whether a flip is running. Import only under PM2, like pm2-metrics.ts.
 */
export function reportWorkerPm2Metrics(worker: Worker<FlipJobData, FlipJobResult>): void {
  // pm2 monit shows numbers only: 1 while a job runs (the job's id is in the logs and GET /jobs/:id).
  let inFlight = 0;
  io.metric({ name: 'flips in flight', value: () => inFlight });
  const flips = rate('flips per minute', 60);
  const flipMs = io.histogram({ name: 'p95 flip ms', measurement: MetricMeasurements.p95 });
  worker.on('active', () => {
    inFlight = 1;
  });
  worker.on('completed', (_job, result) => {
    inFlight = 0;
    flips.mark();
    flipMs.update(result.timings.totalMs);
  });
  worker.on('failed', () => {
    inFlight = 0;
  });
}
