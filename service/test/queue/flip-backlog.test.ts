import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { slowSmallPng, waitForGauge } from '../../../testkit/flip-jobs';
import { bmpImage } from '../../../testkit/bmp-image';
import { deadlineSettings } from '../../../testkit/deadline-settings';
import { encode, pattern } from '../../../testkit/images';
import { loadConfig } from '../../src/config';
import { disposeService, leftoverFiles, startService, type ServiceProcess } from '../../../testkit/server-process';

interface Reply {
  status: number;
  headers: Headers;
  body: string;
  at: number;
}

let order = 0;
async function flip(service: ServiceProcess, body: Buffer, type: string): Promise<Reply> {
  const response = await fetch(`${service.url}/flip`, { method: 'POST', headers: { 'content-type': type }, body });
  // Ordered by when the reply started: a big body takes longer to read than a small one.
  const at = order++;
  return { status: response.status, headers: response.headers, body: await response.text(), at };
}

describe('flip queue', () => {
  const services: ServiceProcess[] = [];
  after(() => Promise.all(services.map(disposeService)));
  const start = async (env: Record<string, string>) => {
    const service = await startService(env);
    services.push(service);
    return service;
  };

  it('keeps /healthz and /metrics answering while a long flip runs', async () => {
    const service = await start({});
    const slow = flip(service, await slowSmallPng(), 'image/png');
    await waitForGauge(service, 'flips_in_flight', 1);
    const health = await fetch(`${service.url}/healthz`);
    const healthAt = order++;
    assert.equal(health.status, 200);
    const slowReply = await slow;
    assert.equal(slowReply.status, 200);
    assert.ok(healthAt < slowReply.at, '/healthz waited for the flip');
  });

  it("holds the experiment's ten flips with default settings and answers the eleventh 503 with Retry-After", async () => {
    const service = await start({});
    const { backlogMax } = loadConfig({}).flip;
    const small = await encode(pattern(8, 8), 'image/png');
    const running = flip(service, await slowSmallPng(), 'image/png');
    await waitForGauge(service, 'flips_in_flight', 1);
    const queued = Array.from({ length: backlogMax }, () => flip(service, small, 'image/png'));
    await waitForGauge(service, 'flips_waiting', backlogMax);
    const refused = await flip(service, small, 'image/png');
    assert.equal(refused.status, 503);
    assert.equal(JSON.parse(refused.body).error.code, 'overloaded');
    assert.match(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    const accepted = await Promise.all([running, ...queued]);
    assert.ok(refused.at < accepted[0]!.at, 'the refusal waited for the running job');
    assert.equal(accepted.length, 10);
    assert.deepEqual(
      accepted.map((reply) => reply.status),
      accepted.map(() => 200),
    );
  });

  it('replies in arrival order within one process (FIFO), a small job not overtaking a big one', async () => {
    const service = await start({ FLIP_BACKLOG_MAX: '4' });
    const big = flip(service, await slowSmallPng(), 'image/png');
    await waitForGauge(service, 'flips_in_flight', 1);
    const bigToo = flip(service, bmpImage(1500, 1500), 'image/bmp');
    await waitForGauge(service, 'flips_waiting', 1);
    const small = flip(service, await encode(pattern(16, 16), 'image/png'), 'image/png');
    await waitForGauge(service, 'flips_waiting', 2);
    const replies = await Promise.all([big, bigToo, small]);
    assert.deepEqual(
      replies.map((reply) => reply.status),
      [200, 200, 200],
    );
    assert.ok(replies[0]!.at < replies[1]!.at && replies[1]!.at < replies[2]!.at, 'replies out of arrival order');
  });

  it('ends a job over FLIP_DECODE_BUDGET_MS with 422, replaces the thread, and the next job works', async (t) => {
    const { slowFlipMs, env } = await deadlineSettings();
    t.diagnostic(`slowSmallPng flips in ${Math.round(slowFlipMs)} ms here: ${JSON.stringify(env)}`);
    const service = await start({ FLIP_DECODE_BUDGET_MS: env.FLIP_DECODE_BUDGET_MS });
    const overBudget = await flip(service, await slowSmallPng(), 'image/png');
    assert.equal(overBudget.status, 422);
    assert.equal(JSON.parse(overBudget.body).error.code, 'image_too_complex');
    const next = await flip(service, await encode(pattern(16, 16), 'image/png'), 'image/png');
    assert.equal(next.status, 200, next.body);
  });

  it('answers 504 when a job runs past FLIP_TIMEOUT_MS, replaces the thread, and the next job works', async (t) => {
    // The first job ends at the budget as 422; the second, sent with it, starts then and meets its deadline before
    // its own budget would end it (deadline-settings.ts).
    const { slowFlipMs, env } = await deadlineSettings();
    t.diagnostic(`slowSmallPng flips in ${Math.round(slowFlipMs)} ms here: ${JSON.stringify(env)}`);
    const service = await start({ ...env, FLIP_BACKLOG_MAX: '2' });
    const image = await slowSmallPng();
    // Sent together, either may reach the backlog first: whichever ran first ends at its budget.
    const replies = await Promise.all([flip(service, image, 'image/png'), flip(service, image, 'image/png')]);
    const [overBudget, timedOut] = replies.sort((a, b) => a.status - b.status);
    assert.deepEqual([overBudget!.status, timedOut!.status], [422, 504]);
    assert.equal(JSON.parse(timedOut!.body).error.code, 'job_timeout');
    const next = await flip(service, await encode(pattern(16, 16), 'image/png'), 'image/png');
    assert.equal(next.status, 200, next.body);
  });

  it('times out a demo job too, and removes its temp files', async () => {
    const service = await start({ FLIP_TIMEOUT_MS: '1' });
    const response = await fetch(`${service.url}/flip`, { method: 'POST' });
    assert.equal(response.status, 504);
    assert.deepEqual(
      leftoverFiles(service.tmp).filter((name) => name.includes('job-')),
      [],
    );
  });
});
