import { Router } from '@koa/router';
import type { Config } from '../config';
import { cpuBurn } from './cpu-burn';
import { flipRoute } from './flip-route';
import type { FlipScheduler } from '../flip/flip-scheduler';
import { healthz, readyz } from './health';
import { addJobsRoutes } from './jobs-routes';
import type { Lifecycle } from '../process/lifecycle';
import type { Metrics } from '../observability/metrics';
import type { JobQueue } from '../queue/job-queue';
import type { TempDir } from '../process/temp-dir';
import { identity } from '../process/identity';

export interface RouteDeps {
  config: Config;
  scheduler: FlipScheduler;
  tempDir: TempDir;
  metrics: Metrics;
  lifecycle: Lifecycle;
  /** Queue mode's job queue; undefined inline. */
  jobs: JobQueue | undefined;
}

// The articles' answer, word for word.
const handledByText = `Process handled by pid: ${identity.pid} on ${identity.hostname}`;

export function createRouter({ config, scheduler, tempDir, metrics, lifecycle, jobs }: RouteDeps): Router {
  const router = new Router();
  const burnCpu = cpuBurn(config.cpuIterations);
  router.get('/', (ctx) => {
    ctx.body = handledByText;
  });
  router.get('/cpu', (ctx) => {
    burnCpu();
    ctx.body = handledByText;
  });
  router.post('/flip', flipRoute(config.flip, scheduler, tempDir));
  router.get('/healthz', healthz);
  addJobsRoutes(router, config.flip, jobs);
  router.get(
    '/readyz',
    readyz(lifecycle, () => jobs?.ready ?? true),
  );
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    // Queue mode adds the job queue's job counts by state; without Redis, this process's figures still answer.
    const queueFigures = jobs ? await jobs.prometheusText().catch(() => '') : '';
    ctx.body = (await metrics.render()) + queueFigures;
  });
  return router;
}
