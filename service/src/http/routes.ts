import { Router } from '@koa/router';
import type { Config } from '../config';
import { burnCpu } from './cpu-burn';
import { flipRoute } from './flip-route';
import type { FlipQueue } from '../queue/flip-queue';
import { healthz, readyz } from './health';
import { handledByText } from './identity';
import type { Lifecycle } from '../process/lifecycle';
import type { Metrics } from '../observability/metrics';
import type { TempDir } from '../process/temp-dir';

export interface RouteDeps {
  config: Config;
  queue: FlipQueue;
  tempDir: TempDir;
  metrics: Metrics;
  lifecycle: Lifecycle;
}

export function createRouter({ config, queue, tempDir, metrics, lifecycle }: RouteDeps): Router {
  const router = new Router();
  router.get('/', (ctx) => {
    ctx.body = handledByText;
  });
  router.get('/cpu', (ctx) => {
    burnCpu(config.cpuIterations);
    ctx.body = handledByText;
  });
  router.post('/flip', flipRoute(config.flip, queue, tempDir));
  router.get('/healthz', healthz);
  router.get('/readyz', readyz(lifecycle));
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.render();
  });
  return router;
}
