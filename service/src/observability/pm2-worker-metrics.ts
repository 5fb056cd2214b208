import type { EventEmitter } from 'node:events';
import io from '@pm2/io';
import { MetricMeasurements } from '@pm2/io/build/main/services/metrics';
import type { FlipEvents } from '../flip/flip-scheduler';
import { rate } from './pm2-metrics';

/**
 * The "Custom metrics" panel of `pm2 monit` for a worker: its flips per minute, p95 flip time and whether a
 * flip is running. Import only under PM2, like pm2-metrics.ts.
 */
export function reportWorkerPm2Metrics(flips: EventEmitter<FlipEvents>): void {
  // pm2 monit shows numbers only: 1 while a job runs (the job's id is in the logs and GET /jobs/:id).
  let inFlight = 0;
  io.metric({ name: 'flips in flight', value: () => inFlight });
  const flipped = rate('flips per minute', 60);
  const flipMs = io.histogram({ name: 'p95 flip ms', measurement: MetricMeasurements.p95 });
  flips.on('started', () => {
    inFlight = 1;
  });
  flips.on('ran', (outcome, ms) => {
    inFlight = 0;
    if (outcome !== 'ok') return;
    flipped.mark();
    flipMs.update(ms);
  });
}
