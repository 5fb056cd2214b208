import { Router } from '@koa/router';
import type { Config } from '../config';
import { cpuBurn } from './cpu-burn';
import { flipRoute } from './flip-route';
import type { FlipScheduler } from '../queue/flip-scheduler';
import { healthz, readyz } from './health';
import { addJobsRoutes } from './jobs-routes';
import { handledByText } from './identity';
import type { Lifecycle } from '../process/lifecycle';
import type { Metrics } from '../observability/metrics';
import type { RedisFlips } from '../queue/redis-flips';
import type { TempDir } from '../process/temp-dir';

export interface RouteDeps {
  config: Config;
  queue: FlipScheduler;
  tempDir: TempDir;
  metrics: Metrics;
  lifecycle: Lifecycle;
  /** Queue mode's job queue; undefined inline. */
  jobs: RedisFlips | undefined;
}

export function createRouter({ config, queue, tempDir, metrics, lifecycle, jobs }: RouteDeps): Router {
  const router = new Router();
  const burnCpu = cpuBurn(config.cpuIterations);
  router.get('/', (ctx) => {
    ctx.body = handledByText;
  });
  router.get('/cpu', (ctx) => {
    burnCpu();
    ctx.body = handledByText;
  });
  router.post('/flip', flipRoute(config.flip, queue, tempDir));
  router.get('/healthz', healthz);
  addJobsRoutes(router, config.flip, jobs);
  router.get(
    '/readyz',
    readyz(lifecycle, () => jobs?.ready ?? true),
  );
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    // Queue mode adds the queue's job counts by state; without Redis, this process's figures still answer.
    const queueFigures = jobs ? await jobs.prometheusText().catch(() => '') : '';
    ctx.body = (await metrics.render()) + queueFigures;
  });
  return router;
}
