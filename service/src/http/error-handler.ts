import type { Middleware } from 'koa';
import { HttpError } from '../errors';
import type { Logger } from '../observability/logger';
import type { RequestState } from './request-context';

/** The one place errors become responses: `{"error":{"code","message"},"requestId"}`. */
export function errorHandler(logger: Logger): Middleware<RequestState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = caught instanceof HttpError ? caught : new HttpError('internal');
      if (error !== caught) logger.error({ err: caught, requestId: ctx.state.requestId }, 'request failed');
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.body = { error: { code: error.code, message: error.message }, requestId: ctx.state.requestId };
    }
  };
}
