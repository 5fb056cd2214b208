import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertSlowSmallPngReply, postSlowFlip, unhurriedFlipEnv, waitForGauge } from '../../testkit/flip-jobs';
import { disposeService, leftoverFiles, startService, type ServiceProcess } from '../../testkit/server-process';

describe('server', () => {
  const services: ServiceProcess[] = [];
  after(() => Promise.all(services.map(disposeService)));
  const start = async (env: Record<string, string> = {}, options: { ipc?: boolean } = {}) => {
    const service = await startService(env, 'server.js', options);
    services.push(service);
    return service;
  };

  it('answers GET / and GET /cpu with the pid and hostname, and sets the tracing headers', async () => {
    const service = await start({ CPU_ITERATIONS: '100000' });
    for (const path of ['/', '/cpu']) {
      const response = await fetch(`${service.url}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^text\/plain/);
      assert.match(await response.text(), new RegExp(`^Process handled by pid: ${service.child.pid} on \\S+$`));
      assert.match(response.headers.get('x-response-time')!, /^\d+(\.\d+)?ms$/);
      assert.match(response.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
      assert.match(response.headers.get('x-served-by')!, new RegExp(`^\\S+/${service.child.pid}$`));
    }
  });

  it('keeps a sane incoming X-Request-Id and replaces a hostile one', async () => {
    const service = await start();
    const kept = await fetch(`${service.url}/healthz`, { headers: { 'x-request-id': 'edge-42.a:b' } });
    assert.equal(kept.headers.get('x-request-id'), 'edge-42.a:b');
    const replaced = await fetch(`${service.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(500) } });
    assert.match(replaced.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
  });

  for (const trustProxy of [false, true]) {
    const source = trustProxy ? 'from X-Forwarded-For when TRUST_PROXY is on' : 'of the socket when TRUST_PROXY is off';
    it(`logs the client address ${source}`, async () => {
      const service = await start({ TRUST_PROXY: String(trustProxy) });
      const headers = { 'x-forwarded-for': '203.0.113.7', 'x-request-id': 'ip-check' };
      const response = await fetch(`${service.url}/`, { headers });
      assert.equal(response.status, 200);
      const line = await service.waitForLog((entry) => entry.requestId === 'ip-check');
      assert.equal(line.ip, trustProxy ? '203.0.113.7' : '127.0.0.1');
      assert.deepEqual(
        [line.route, line.status, typeof line.ms, typeof line.time, line.pid],
        ['/', 200, 'number', 'string', service.child.pid],
      );
    });
  }

  it('serves health, readiness and Prometheus metrics', async () => {
    const service = await start();
    assert.deepEqual(await (await fetch(`${service.url}/healthz`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${service.url}/readyz`)).json(), { status: 'ready' });
    await fetch(`${service.url}/`);
    const metrics = await fetch(`${service.url}/metrics`);
    assert.match(metrics.headers.get('content-type')!, /^text\/plain/);
    const text = await metrics.text();
    for (const name of [
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/",status="200"}',
      'flip_job_duration_seconds',
      'flips_waiting 0',
      'flips_in_flight 0',
      'flip_rejections_total',
      'process_resident_memory_bytes',
    ]) {
      assert.ok(text.includes(name), `metrics lack ${name}`);
    }
  });

  it('answers unknown routes with 404 and wrong methods with 405, as JSON', async () => {
    const service = await start();
    const missing = await fetch(`${service.url}/nope`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    const wrong = await fetch(`${service.url}/flip`, { method: 'GET' });
    assert.equal(wrong.status, 405);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'method_not_allowed');
  });

  for (const how of ['SIGTERM', 'SIGINT', 'shutdown message'] as const) {
    it(`on ${how}: lets the in-flight and the queued flip finish, exits 0, leaves no temp file`, async () => {
      const service = await start(unhurriedFlipEnv, { ipc: how === 'shutdown message' });
      const flip = postSlowFlip(service);
      await waitForGauge(service, 'flips_in_flight', 1);
      const demo = fetch(`${service.url}/flip`, { method: 'POST' });
      await waitForGauge(service, 'flips_waiting', 1);
      if (how === 'shutdown message') service.child.send('shutdown');
      else service.child.kill(how);
      await service.waitForLog((line) => line.msg === 'shutting down: finishing requests in flight');
      const [flipped, demoReply] = await Promise.all([flip, demo]);
      await assertSlowSmallPngReply(flipped);
      assert.equal(demoReply.status, 200);
      assert.equal(await service.exited, 0);
      assert.deepEqual(leftoverFiles(service.tmp), []);
    });
  }

  it('refuses new connections once shutdown began and closes the in-flight one after its reply', async () => {
    const service = await start(unhurriedFlipEnv);
    const flip = postSlowFlip(service);
    await waitForGauge(service, 'flips_in_flight', 1);
    service.child.kill('SIGTERM');
    await service.waitForLog((line) => line.msg === 'shutting down: finishing requests in flight');
    await assert.rejects(fetch(`${service.url}/readyz`));
    const flipped = await flip;
    assert.equal(flipped.status, 200);
    assert.equal(flipped.headers.get('connection'), 'close');
    await flipped.arrayBuffer();
    assert.equal(await service.exited, 0);
  });

  it('stops at start with a message naming a bad variable', () => {
    const result = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'server.js')], {
      env: { PATH: process.env.PATH, FLIP_BACKLOG_MAX: 'lots', PORT: '70000' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /FLIP_BACKLOG_MAX="lots"/);
    assert.match(result.stderr, /PORT="70000"/);
  });

  it('warns loudly and exits 1 when the crash switch fires', async () => {
    const service = await start({ CRASH_AFTER_MS_MAX: '300' });
    const warning = await service.waitForLog((line) => typeof line.crashInMs === 'number');
    assert.equal(warning.level, 40);
    assert.equal(await service.exited, 1);
    assert.deepEqual(leftoverFiles(service.tmp), []);
  });
});
