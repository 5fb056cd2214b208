import type { Middleware } from 'koa';
import { ServiceError } from '../errors';
import type { Logger } from '../observability/logger';
import type { RequestState } from './request-context';

/** The one place errors become responses: `{"error":{"code","message"},"requestId"}`. */
export function errorHandler(logger: Logger): Middleware<RequestState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = caught instanceof ServiceError ? caught : new ServiceError('internal');
      if (error !== caught) logger.error({ err: caught, requestId: ctx.state.requestId }, 'request failed');
      ctx.status = error.status;
      if (error.hints.retryAfterS !== undefined) ctx.set('Retry-After', String(error.hints.retryAfterS));
      // The unread rest of a refused body is still on the socket: the connection cannot carry another request.
      if (error.code === 'payload_too_large') ctx.set('Connection', 'close');
      ctx.body = { error: { code: error.code, message: error.message }, requestId: ctx.state.requestId };
    }
  };
}
