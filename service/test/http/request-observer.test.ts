import assert from 'node:assert/strict';
import { it } from 'node:test';
import Router from '@koa/router';
import { Histogram, Registry } from 'prom-client';
import { countRoutesFromZero } from '../../src/http/request-observer';

it("starts every route's success series at 0, one per method (HEAD left out), before any request", async () => {
  const registry = new Registry();
  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'test',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const router = new Router();
  router.get('/', () => undefined);
  router.post('/flip', () => undefined);
  router.get('/jobs/:id', () => undefined);

  countRoutesFromZero({ registry, requestDuration, render: () => registry.metrics() }, router);

  const counts = (await registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith('http_request_duration_seconds_count'));
  assert.deepEqual(counts.sort(), [
    'http_request_duration_seconds_count{method="GET",route="/",status="200"} 0',
    'http_request_duration_seconds_count{method="GET",route="/jobs/:id",status="200"} 0',
    'http_request_duration_seconds_count{method="POST",route="/flip",status="200"} 0',
  ]);
});
