import { Router } from '@koa/router';
import Koa from 'koa';
import { Registry } from 'prom-client';
import { errorHandler } from './error-handler';
import { healthz, readyz } from './health';
import type { Lifecycle } from '../process/lifecycle';
import type { Logger } from '../observability/logger';
import { notFound } from './not-found';
import { requestContext, type RequestState } from './request-context';

/**
 * The worker role's only HTTP: liveness and readiness (503 while Redis is unreachable or shutdown began), for the
 * image's HEALTHCHECK and for operators, and /metrics for Prometheus. Workers take their work from Redis, never
 * from HTTP.
 */
export function createWorkerApp(
  logger: Logger,
  lifecycle: Lifecycle,
  queueReachable: () => boolean,
  renderMetrics: () => Promise<string>,
): Koa<RequestState> {
  const router = new Router();
  router.get('/healthz', healthz);
  router.get('/readyz', readyz(lifecycle, queueReachable));
  router.get('/metrics', async (ctx) => {
    ctx.type = Registry.PROMETHEUS_CONTENT_TYPE;
    ctx.body = await renderMetrics();
  });
  const app = new Koa<RequestState>();
  app.use(requestContext(lifecycle));
  app.use(errorHandler(logger));
  app.use(notFound);
  app.use(router.routes());
  return app;
}
