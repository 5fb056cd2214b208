// Queue mode as compose runs it (profile `queue`, deploy/queue.env): nginx -> api -> Redis -> 2 workers, under
// a project name unique to this run on a free 127.0.0.1 port, torn down afterwards. `make test-stack`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decode, difference, encode, flipExpected, pattern } from '../testkit/images';
import { submitJob, untilFinished } from '../testkit/jobs-client';
import { bmpImage } from '../testkit/bmp-image';
import { ComposeStack, docker } from '../testkit/compose';
import { freePort } from '../testkit/free-port';
import { steadyLoad } from './support/steady-load';
import { waitForHttp } from '../testkit/wait-for-http';

// Seconds of Jimp work per flip in a 1-CPU container, under nginx's 25 MiB body limit: a worker is caught
// mid-flip when it is killed.
const slowBmp = bmpImage(2500, 2500);

let stack: ComposeStack;
let baseUrl: string;

const flipRequest = (body: Buffer, type: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': type },
  body,
});

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  stack = new ComposeStack('queue', {
    HTTP_BIND: '127.0.0.1',
    HTTP_PORT: String(port),
    COMPOSE_PROFILES: 'queue',
    UPSTREAM_HOST: 'api',
  });
  await stack.compose('build');
  await stack.compose('up', '--detach', '--scale', 'service=0', '--scale', 'api=1', '--scale', 'worker=2');
  await stack.waitForHealthy(1, 120_000, 'api');
  await stack.waitForHealthy(2, 120_000, 'worker');
  await waitForHttp(`${baseUrl}/readyz`, 30_000);
});

after(async () => {
  await stack?.down();
});

test('no inline replica runs; flips and jobs go through nginx, the api and Redis to the workers', async () => {
  assert.deepEqual(await stack.containerIds('service'), []);
  const source = pattern(37, 23);
  const flips = await Promise.all(
    [1, 2, 3, 4].map(async () => fetch(`${baseUrl}/flip`, flipRequest(await encode(source, 'image/png'), 'image/png'))),
  );
  for (const response of flips) {
    assert.equal(response.status, 200);
    const flipped = await decode(Buffer.from(await response.arrayBuffer()));
    assert.equal(difference(flipped, flipExpected(source, 'vertical')).max, 0);
  }

  const { response, json } = await submitJob(baseUrl, await encode(source, 'image/png'), 'image/png', '?axis=both');
  assert.equal(response.status, 202);
  assert.equal((await untilFinished(baseUrl, json.id!)).status, 'completed');
  const result = await fetch(`${baseUrl}/jobs/${json.id!}/result`);
  assert.equal(result.status, 200);
  const flipped = await decode(Buffer.from(await result.arrayBuffer()));
  assert.equal(difference(flipped, flipExpected(source, 'both')).max, 0);
});

/** A worker container whose log shows a flip job that started and has not ended. */
async function workerMidFlip(timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const id of await stack.containerIds('worker')) {
      const jobLines = (await docker('logs', '--tail', '20', id))
        .split('\n')
        .filter((line) => /"msg":"flip job (started|done|failed)"/.test(line));
      if (jobLines.at(-1)?.includes('"flip job started"')) return id;
    }
    await sleep(200);
  }
  throw new Error(`no worker was mid-flip within ${timeoutMs} ms`);
}

test('docker kill of a worker container mid-flip: its job runs again on the other worker, 0 failed requests', async (t) => {
  const load = steadyLoad(baseUrl, [{ path: '/flip', init: flipRequest(slowBmp, 'image/bmp') }], {
    concurrency: 2,
    maxDurationMs: 120_000,
  });
  try {
    const victim = await workerMidFlip(30_000);
    await docker('kill', victim);
    t.diagnostic(`killed worker container ${victim.slice(0, 12)} mid-flip`);
    await sleep(3000);
  } finally {
    const report = await load.stop();
    assert.equal(report.failed, 0, report.failures.join('\n'));
    assert.ok(report.sent >= 2);
  }
  // The killed worker's job was found stalled and ran again.
  const logs = await Promise.all((await stack.containerIds('worker')).map((id) => docker('logs', id)));
  assert.ok(
    logs.some((log) => /"stalled":1,"msg":"flip job started"/.test(log)),
    'no job ran a second time',
  );
});

test('docker restart of Redis under load: no accepted job is lost, refusals are JSON, both roles reconnect', async (t) => {
  const image = await encode(pattern(300, 200), 'image/png');
  const accepted: string[] = [];
  const refusals = new Map<string, number>();
  let submitting = true;
  const submitter = (async () => {
    while (submitting) {
      const { response, json } = await submitJob(baseUrl, image, 'image/png');
      if (response.status === 202) accepted.push(json.id!);
      else
        refusals.set(
          `${response.status} ${json.error?.code}`,
          (refusals.get(`${response.status} ${json.error?.code}`) ?? 0) + 1,
        );
      await sleep(50);
    }
  })();
  const inFlight = [fetch(`${baseUrl}/flip`, flipRequest(slowBmp, 'image/bmp'))];
  await sleep(1000);
  const [redis] = await stack.containerIds('redis');
  await docker('restart', redis!);
  await stack.waitForHealthy(1, 60_000, 'redis');
  await waitForHttp(`${baseUrl}/readyz`, 30_000);
  await sleep(2000);
  submitting = false;
  await submitter;

  for (const response of await Promise.all(inFlight)) assert.equal(response.status, 200, await response.text());
  t.diagnostic(`accepted ${accepted.length} jobs; refused: ${JSON.stringify([...refusals])}`);
  for (const key of refusals.keys()) assert.equal(key, '503 queue_unavailable');
  assert.ok(accepted.length > 20, `only ${accepted.length} jobs accepted`);
  const statuses = new Map<string, number>();
  for (const id of accepted) {
    const { status } = await untilFinished(baseUrl, id);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  assert.deepEqual([...statuses], [['completed', accepted.length]]);
});

test("Redis stopped: nginx keeps the api replicas, so clients get the api's JSON 503, and flips resume after", async (t) => {
  const image = await encode(pattern(64, 48), 'image/png');
  const [redis] = await stack.containerIds('redis');
  await docker('stop', redis!);
  const answers = new Map<string, number>();
  try {
    // Several of upstream-watch's 2 s polls: an api dropped for its 503 /readyz would show as nginx's 502.
    for (const until = Date.now() + 8000; Date.now() < until; await sleep(250)) {
      const response = await fetch(`${baseUrl}/flip`, flipRequest(image, 'image/png'));
      const json = (await response.json()) as { error?: { code?: string } };
      const key = `${response.status} ${json.error?.code} Retry-After ${response.headers.get('retry-after')}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
    const readyz = await fetch(`${baseUrl}/readyz`);
    assert.equal(readyz.status, 503);
    assert.equal(((await readyz.json()) as { error: { code: string } }).error.code, 'queue_unavailable');
  } finally {
    await docker('start', redis!);
  }
  t.diagnostic(`while Redis was down: ${JSON.stringify([...answers])}`);
  assert.deepEqual([...answers.keys()], ['503 queue_unavailable Retry-After 1']);
  await stack.waitForHealthy(1, 60_000, 'redis');
  await waitForHttp(`${baseUrl}/readyz`, 30_000);
  const response = await fetch(`${baseUrl}/flip`, flipRequest(image, 'image/png'));
  assert.equal(response.status, 200, await response.text());
});
