import { createServer, type Server } from 'node:http';
import { AggregatorRegistry, Gauge, type Registry } from 'prom-client';
import type { Config } from '../config';
import { availableCpus } from '../process/available-cpus';
import type { Logger } from './logger';

/** Where an instance's siblings in one replica (one PM2 app or one node:cluster primary) serve their registries. */
export interface InstanceSet {
  /** This instance's number, 0 ≤ index < count: NODE_APP_INSTANCE, set by PM2 and by cluster.ts. */
  index: number;
  count: number;
  /** Instance i serves its registry as JSON on 127.0.0.1:basePort + i. */
  basePort: number;
  /** How long the answering instance waits for each sibling before leaving it out of the scrape. */
  timeoutMs: number;
}

/**
 * This process's place among its replica's instances: an instance of PM2's cluster mode or of cluster.ts knows its
 * number (and there are as many as the ecosystem file or cluster.ts start); a lone process has none.
 */
export function instanceSetOf({ metricsPeers, webConcurrency }: Config): InstanceSet | undefined {
  const { instance, basePort, timeoutMs } = metricsPeers;
  if (instance === undefined) return undefined;
  return { index: instance, count: webConcurrency ?? availableCpus(), basePort, timeoutMs };
}

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

// Why loopback HTTP between siblings and not prom-client's AggregatorRegistry.clusterMetrics() or PM2's bus:
// clusterMetrics() asks the node:cluster primary, which under PM2 is PM2's God daemon and runs none of our code;
// PM2's IPC bus (pm2.launchBus / process:msg) only reaches siblings through the daemon, needs a pm2 API
// connection from every instance and does not exist under node:cluster. A port per instance number works the same
// under both supervisors, stays inside the container (127.0.0.1 only) and lets each sibling answer from its own
// event loop, so a sibling that is restarting (connection refused) or blocked (no answer) costs at most timeoutMs.
// The merge itself is AggregatorRegistry.aggregate, which applies each metric's own aggregator: counters and
// histogram buckets summed, gauges per their `aggregator` setting (sum, or first/min/max/average/omit).
const RETRY_BIND_MS = 1000;

/**
 * Serves this instance's registry to its siblings. During a PM2 reload the old and the new instance share an
 * instance number for a moment, so a taken port is retried until the old one exits.
 */
export function servePeerMetrics(registry: Registry, instances: InstanceSet, logger: Logger): Server {
  const port = instances.basePort + instances.index;
  const server = createServer((_req, res) => {
    void registry.getMetricsAsJSON().then((json) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(json));
    });
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    logger.warn({ port }, 'peer metrics port taken; retrying');
    setTimeout(listen, RETRY_BIND_MS).unref();
  });
  // Exclusive: bound by this instance itself. A plain listen() in a cluster worker is routed through the cluster
  // primary (PM2's daemon), which would own the port and could hand a scrape to a dying or a replaced instance.
  const listen = () => server.listen({ port, host: '127.0.0.1', exclusive: true });
  listen();
  // Never keeps a stopping instance alive.
  server.unref();
  return server;
}

type SiblingAnswer = MetricsJson | 'refused' | 'silent';

async function siblingMetrics(port: number, timeoutMs: number): Promise<SiblingAnswer> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? ((await response.json()) as MetricsJson) : 'silent';
  } catch (error) {
    // Nothing listens: the instance is down or restarting, and its counts died with it.
    const refused = error instanceof TypeError && (error.cause as NodeJS.ErrnoException)?.code === 'ECONNREFUSED';
    return refused ? 'refused' : 'silent';
  }
}

/**
 * The replica's exposition text: this instance's registry merged with its siblings'. A sibling too busy to answer
 * within timeoutMs (its event loop blocked by /cpu under load) counts with the last registry this instance got
 * from it, so the replica's counters do not drop for a scrape, which Prometheus would read as a counter reset;
 * a sibling that is down counts as nothing, as its counters restart from zero anyway.
 */
export function replicaMetrics(registry: Registry, instances: InstanceSet): () => Promise<string> {
  const lastAnswers = new Map<number, MetricsJson>();
  const siblingPorts = Array.from({ length: instances.count }, (_, i) => instances.basePort + i).filter(
    (port) => port !== instances.basePort + instances.index,
  );
  return async () => {
    const [own, ...siblings] = await Promise.all([
      registry.getMetricsAsJSON(),
      ...siblingPorts.map((port) => siblingMetrics(port, instances.timeoutMs)),
    ]);
    const included: MetricsJson[] = [own];
    let answered = 1;
    let cached = 0;
    siblings.forEach((answer, i) => {
      const port = siblingPorts[i]!;
      if (answer === 'refused') lastAnswers.delete(port);
      if (typeof answer !== 'string') {
        lastAnswers.set(port, answer);
        included.push(answer);
        answered++;
      } else if (answer === 'silent' && lastAnswers.has(port)) {
        included.push(lastAnswers.get(port)!);
        cached++;
      }
    });
    const merged = AggregatorRegistry.aggregate(included);
    new Gauge({
      name: 'metrics_instances_answered',
      help: 'Instances of this replica that answered this scrape in time (this one included).',
      registers: [merged],
    }).set(answered);
    new Gauge({
      name: 'metrics_instances_cached',
      help: 'Instances of this replica too busy to answer in time, counted with their last answer.',
      registers: [merged],
    }).set(cached);
    new Gauge({
      name: 'metrics_instances_expected',
      help: 'Instances this replica runs (WEB_CONCURRENCY or its CPUs).',
      registers: [merged],
    }).set(instances.count);
    return merged.metrics();
  };
}
