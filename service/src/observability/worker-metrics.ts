import type { EventEmitter } from 'node:events';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { FlipEvents } from '../flip/flip-scheduler';
import type { Logger } from './logger';
import { countFlips } from './metrics';
import { replicaMetrics, servePeerMetrics, type InstanceSet } from './replica-metrics';

/**
 * A worker's /metrics: its process figures and its flips — run time by outcome and the wait from the api's
 * enqueue to this worker's start (the job queue) — merged over the replica's instances as an api's are, so
 * Prometheus's `worker` targets read like the others.
 */
export function workerMetrics(
  flips: EventEmitter<FlipEvents>,
  instances: InstanceSet | undefined,
  logger: Logger,
): () => Promise<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  countFlips(registry, flips);
  if (instances === undefined) return () => registry.metrics();
  servePeerMetrics(registry, instances, logger);
  return replicaMetrics(registry, instances);
}
