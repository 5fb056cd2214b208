import Koa from 'koa';
import { errorHandler } from './error-handler';
import { ServiceError } from '../errors';
import type { Logger } from '../observability/logger';
import { notFound } from './not-found';
import { requestContext, type RequestState } from './request-context';
import { countRoutesFromZero, requestObserver } from './request-observer';
import { createRouter, type RouteDeps } from './routes';

export interface AppDeps extends RouteDeps {
  logger: Logger;
}

const methodNotAllowed = () => new ServiceError('method_not_allowed');

/** Builds the Koa application; server.ts owns listening and the process around it. */
export function createApp(deps: AppDeps): Koa<RequestState> {
  const app = new Koa<RequestState>({ proxy: deps.config.trustProxy });
  const router = createRouter(deps);
  countRoutesFromZero(deps.metrics, router);
  app.use(requestContext(deps.lifecycle));
  app.use(requestObserver(deps.logger, deps.metrics));
  app.use(errorHandler(deps.logger));
  app.use(notFound);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true, methodNotAllowed, notImplemented: methodNotAllowed }));
  return app;
}
