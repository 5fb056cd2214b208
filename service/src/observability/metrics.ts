import type { EventEmitter } from 'node:events';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FlipEvents, FlipScheduler } from '../flip/flip-scheduler';
import { replicaMetrics, type InstanceSet } from './replica-metrics';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  /** The exposition text /metrics answers with: the whole replica's when this process has sibling instances. */
  render(): Promise<string>;
}

// One registry per process; under node:cluster or PM2 the instance answering /metrics merges its siblings'
// registries into it (replica-metrics.ts), so Prometheus sees one replica whichever instance it reaches.
// The flips' numbers come from the scheduler itself: its gauges are read at scrape time, its flips and
// refusals counted from its events; summed over instances, they are the replica's.
/** What every process that runs flips counts of them, an inline api and a worker alike. */
export function countFlips(registry: Registry, flips: EventEmitter<FlipEvents>): void {
  const flipDuration = new Histogram({
    name: 'flip_job_duration_seconds',
    help: 'Time a flip job ran in its engine (queue wait excluded), by outcome.',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 60],
    registers: [registry],
  });
  const flipWait = new Histogram({
    name: 'flip_wait_seconds',
    help: 'Time a flip job waited (backlog or job queue) before it started.',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 60],
    registers: [registry],
  });
  flips.on('ran', (outcome, ms) => flipDuration.observe({ outcome }, ms / 1000));
  flips.on('started', (waitedMs) => flipWait.observe(waitedMs / 1000));
}

export function createMetrics(scheduler: FlipScheduler, instances: InstanceSet | undefined): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  countFlips(registry, scheduler);
  const rejections = new Counter({
    name: 'flip_rejections_total',
    help: 'Flip jobs refused or abandoned, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'flips_waiting',
    help: 'Flip jobs waiting for a flip thread or a worker.',
    registers: [registry],
    aggregator: 'sum',
    collect() {
      this.set(scheduler.depth);
    },
  });
  new Gauge({
    name: 'flips_in_flight',
    help: 'Flip jobs running in their engine.',
    registers: [registry],
    aggregator: 'sum',
    collect() {
      this.set(scheduler.inFlight);
    },
  });
  scheduler.on('refused', (reason) => rejections.inc({ reason }));
  return {
    registry,
    render: instances === undefined ? () => registry.metrics() : replicaMetrics(registry, instances),
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60],
      registers: [registry],
    }),
  };
}
