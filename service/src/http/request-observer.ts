import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { RequestState } from './request-context';

/** Times each request once, for the X-Response-Time header, the duration histogram and the access log. */
export function requestObserver(logger: Logger, metrics: Metrics): Middleware<RequestState> {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      ctx.set('X-Response-Time', `${ms.toFixed(1)}ms`);
      // Matched route patterns only: raw paths would give the histogram one series per scanner probe.
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      const status = ctx.status;
      metrics.requestDuration.observe({ method: ctx.method, route, status }, ms / 1000);
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          route,
          url: ctx.url,
          status,
          ms: Math.round(ms),
          ip: ctx.ip,
        },
        'request',
      );
    }
  };
}

/**
 * Starts every route's success series at 0. A labelled series is born at its first request, already counting it,
 * and Prometheus's rate() sees no increase in a series whose first sample holds the whole burst: a route's first
 * load would show a rate of 0.
 */
export function countRoutesFromZero(metrics: Metrics, router: Router): void {
  for (const { path, methods } of router.stack) {
    if (typeof path !== 'string') continue;
    for (const method of methods.filter((m) => m !== 'HEAD')) {
      metrics.requestDuration.zero({ method, route: path, status: 200 });
    }
  }
}
