import type { Middleware } from 'koa';
import { ServiceError } from '../errors';
import type { Lifecycle } from '../process/lifecycle';

/** Liveness: answered by the event loop alone, which flips never block. */
export const healthz: Middleware = (ctx) => {
  ctx.body = { status: 'ok' };
};

/**
 * Readiness: 503 from the moment shutdown begins, so a balancer that checks it stops sending work, and in queue
 * mode while Redis is unreachable.
 */
export function readyz(lifecycle: Lifecycle, queueReachable: () => boolean = () => true): Middleware {
  return (ctx) => {
    if (lifecycle.shuttingDown) throw new ServiceError('shutting_down');
    if (!queueReachable()) throw new ServiceError('queue_unavailable', 'The job queue (Redis) is unreachable.');
    ctx.body = { status: 'ready' };
  };
}
