import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Context } from 'koa';
import { ServiceError } from '../../src/errors';
import { healthz, readyz } from '../../src/http/health';
import type { Lifecycle } from '../../src/process/lifecycle';

const next = async () => undefined;

describe('health', () => {
  it('reports liveness', async () => {
    const ctx = {} as Context;
    await healthz(ctx, next);
    assert.deepEqual(ctx.body, { status: 'ok' });
  });

  it('reports readiness until shutdown begins, then 503 shutting_down', async () => {
    const lifecycle: Lifecycle = { shuttingDown: false };
    const ready = {} as Context;
    await readyz(lifecycle)(ready, next);
    assert.deepEqual(ready.body, { status: 'ready' });
    lifecycle.shuttingDown = true;
    await assert.rejects(
      async () => readyz(lifecycle)({} as Context, next),
      (error: unknown) => error instanceof ServiceError && error.status === 503 && error.code === 'shutting_down',
    );
  });
});
