import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { servedBy } from '../process/identity';
import type { Lifecycle } from '../process/lifecycle';

// An incoming id is kept (nginx or the client set it) when it is a sane token, so one id follows a request
// through every hop; anything else is replaced rather than echoed into headers and logs.
const acceptableId = /^[\w.:-]{1,128}$/;

export interface RequestState {
  requestId: string;
}

export function requestContext(lifecycle: Lifecycle): Middleware<RequestState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    ctx.state.requestId = acceptableId.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    ctx.set('X-Served-By', servedBy);
    await next();
    // While draining, each response ends its connection so keep-alive clients move to another instance.
    if (lifecycle.shuttingDown) ctx.set('Connection', 'close');
  };
}
