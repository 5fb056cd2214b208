import type { Middleware } from 'koa';
import { ServiceError } from '../errors';

/** A request no route answered gets the catalogue's JSON 404, not Koa's plain text. */
export const notFound: Middleware = async (ctx, next) => {
  await next();
  if (ctx.status === 404 && ctx.body == null) throw new ServiceError('not_found');
};
