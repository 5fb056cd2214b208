import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FlipScheduler } from '../queue/flip-scheduler';
import { replicaMetrics, type WorkerSet } from './replica-metrics';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  /** The exposition text /metrics answers with: the whole replica's when this process has sibling workers. */
  render(): Promise<string>;
}

// One registry per process; under node:cluster or PM2 the worker answering /metrics merges its siblings'
// registries into it (replica-metrics.ts), so Prometheus sees one replica whichever worker it reaches.
// The flip queue's numbers come from the queue itself: its gauges are read at scrape time, its jobs and
// refusals counted from its events; summed over workers, they are the replica's queue.
/** What every process that runs flips counts of them, an inline api and a queue worker alike. */
export function flipHistograms(registry: Registry) {
  return {
    flipDuration: new Histogram({
      name: 'flip_job_duration_seconds',
      help: 'Time a flip job ran in its engine (queue wait excluded), by outcome.',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 60],
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'flip_queue_wait_seconds',
      help: 'Time a flip job waited in the queue before it started.',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 60],
      registers: [registry],
    }),
  };
}

export function createMetrics(queue: FlipScheduler, workers: WorkerSet | undefined): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { flipDuration, queueWait } = flipHistograms(registry);
  const rejections = new Counter({
    name: 'flip_rejections_total',
    help: 'Flip jobs refused or abandoned, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'flip_queue_depth',
    help: 'Flip jobs waiting for a thread.',
    registers: [registry],
    aggregator: 'sum',
    collect() {
      this.set(queue.depth);
    },
  });
  new Gauge({
    name: 'flip_jobs_in_flight',
    help: 'Flip jobs running in their engine.',
    registers: [registry],
    aggregator: 'sum',
    collect() {
      this.set(queue.inFlight);
    },
  });
  queue.on('ran', (outcome, ms) => flipDuration.observe({ outcome }, ms / 1000));
  queue.on('started', (waitedMs) => queueWait.observe(waitedMs / 1000));
  queue.on('refused', (reason) => rejections.inc({ reason }));
  return {
    registry,
    render: workers === undefined ? () => registry.metrics() : replicaMetrics(registry, workers),
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60],
      registers: [registry],
    }),
  };
}
