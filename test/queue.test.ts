// Queue mode's guarantees (issue 9) with real processes and a real redis-server on this machine: one FIFO for
// every api process, admission, deadline, a SIGKILLed worker, a job that kills its workers, a Redis restart,
// graceful stops. `make test-queue`.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertSlowSmallPngReply, slowSmallPng } from '../testkit/flip-jobs';
import { encode, pattern } from '../testkit/images';
import { errorCode, submitJob, untilFinished } from '../testkit/jobs-client';
import { fastStallEnv, startQueueDeployment, waitForJobStart, type QueueDeployment } from '../testkit/queue-deployment';
import { bmpImage } from '../testkit/bmp-image';
import { customMetric, startPm2Cluster, type Pm2Process } from './support/pm2-cluster';
import { deadlineSettings } from '../testkit/deadline-settings';
import { waitForHttp } from '../testkit/wait-for-http';
import { waitUntil } from '../testkit/wait-until';

async function deploy(t: TestContext, options: Parameters<typeof startQueueDeployment>[0]): Promise<QueueDeployment> {
  const deployment = await startQueueDeployment(options);
  t.after(() => deployment.dispose());
  return deployment;
}

const smallPng = () => encode(pattern(24, 16), 'image/png');

function postFlip(url: string, body: Buffer, contentType: string): Promise<Response> {
  return fetch(`${url}/flip`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

test('one FIFO for the whole deployment: jobs start in the order they were accepted, whichever api took them', async (t) => {
  const deployment = await deploy(t, { apis: 2, workers: 1 });
  const [a, b] = deployment.apis.map((api) => api.url) as [string, string];
  // One long job first, so that everything after it waits in the queue.
  const first = await submitJob(a, await slowSmallPng(), 'image/png');
  await waitForJobStart(deployment, first.json.id);
  const ids: string[] = [];
  const servedBy = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const { response, json } = await submitJob(i % 2 === 0 ? a : b, await smallPng(), 'image/png');
    assert.equal(response.status, 202);
    servedBy.add(response.headers.get('x-served-by')!);
    ids.push(json.id!);
  }
  assert.equal(servedBy.size, 2, 'both api processes took jobs');
  const views = [];
  for (const id of ids) views.push(await untilFinished(a, id));
  const starts = views.map((view) => Date.parse(view.startedAt!));
  assert.deepEqual(
    starts,
    [...starts].sort((x, y) => x - y),
    `start order differs from acceptance order: ${views.map((v) => v.startedAt).join(', ')}`,
  );
  assert.ok(views.every((view) => view.status === 'completed'));
});

test('admission: at most JOB_QUEUE_MAX jobs wait in the whole deployment, then 503 with Retry-After', async (t) => {
  const deployment = await deploy(t, { apis: 2, workers: 1, env: { JOB_QUEUE_MAX: '2' } });
  const [a, b] = deployment.apis.map((api) => api.url) as [string, string];
  const running = await submitJob(a, await slowSmallPng(), 'image/png');
  await waitForJobStart(deployment, running.json.id);
  const accepted = [
    await submitJob(a, await smallPng(), 'image/png'),
    await submitJob(b, await smallPng(), 'image/png'),
  ];
  assert.deepEqual(
    accepted.map(({ response }) => response.status),
    [202, 202],
  );

  const refusedJob = await submitJob(b, await smallPng(), 'image/png');
  const refusedFlip = await postFlip(a, await smallPng(), 'image/png');
  for (const response of [refusedJob.response, refusedFlip]) {
    assert.equal(response.status, 503);
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  }
  assert.equal(refusedJob.json.error?.code, 'overloaded');
  assert.equal(await errorCode(refusedFlip), 'overloaded');
  for (const { json } of accepted) assert.equal((await untilFinished(a, json.id!)).status, 'completed');
});

test('admission is atomic: concurrent POSTs on two apis admit exactly JOB_QUEUE_MAX jobs, the rest 503', async (t) => {
  // No worker: every admitted job keeps waiting, so the bound is the only thing deciding.
  const deployment = await deploy(t, { apis: 2, workers: 0, env: { JOB_QUEUE_MAX: '5' } });
  const image = await smallPng();
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => submitJob(deployment.apis[i % 2]!.url, image, 'image/png')),
  );
  const accepted = answers.filter(({ response }) => response.status === 202);
  const refused = answers.filter(({ response }) => response.status === 503);
  assert.equal(accepted.length, 5);
  assert.equal(refused.length, 35);
  for (const { response, json } of refused) {
    assert.equal(json.error?.code, 'overloaded');
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  }
  assert.deepEqual(await deployment.redis.keys('bull:flips:admissions'), [], 'every reservation released');
});

test('a full Redis (maxmemory, noeviction) refuses new jobs with 503 queue_unavailable and keeps accepted ones', async (t) => {
  const deployment = await deploy(t, { workers: 0, redisArgs: ['--maxmemory', '8mb'] });
  const url = deployment.apis[0]!.url;
  const image = bmpImage(700, 700); // 1.5 MB: a few fit beside Redis's own few MB, not ten
  const answers = [];
  for (let i = 0; i < 10; i++) answers.push(await submitJob(url, image, 'image/bmp'));
  const accepted = answers.filter(({ response }) => response.status === 202);
  const refused = answers.filter(({ response }) => response.status === 503);
  assert.ok(accepted.length >= 1 && refused.length >= 1, answers.map(({ response }) => response.status).join(' '));
  assert.equal(accepted.length + refused.length, 10);
  for (const { json } of refused) {
    assert.equal(json.error?.code, 'queue_unavailable');
    assert.match(json.error?.message ?? '', /full/);
  }
  // Nothing of a refused job stays to hold the room of accepted ones.
  assert.equal((await deployment.redis.keys('flipstack:input:*')).length, accepted.length);
  assert.deepEqual(await deployment.redis.keys('bull:flips:admissions'), []);
  // Nothing accepted was evicted to make room: a worker started now flips every accepted job.
  await deployment.addWorker();
  for (const { json } of accepted) assert.equal((await untilFinished(url, json.id!)).status, 'completed');
});

test('deadline: FLIP_TIMEOUT_MS from arrival, 504 job_timeout on /flip and failed with job_timeout on /jobs', async (t) => {
  // The first job ends at the budget as 422; the flip that waited behind it starts then and meets its deadline
  // before its own budget would end it; the job after it meets its deadline too (deadline-settings.ts).
  const { slowFlipMs, env } = await deadlineSettings();
  t.diagnostic(`slowSmallPng flips in ${Math.round(slowFlipMs)} ms here: ${JSON.stringify(env)}`);
  const deployment = await deploy(t, { workers: 1, env });
  const url = deployment.apis[0]!.url;
  const overBudgetImage = await slowSmallPng();
  const first = await submitJob(url, overBudgetImage, 'image/png');
  await waitForJobStart(deployment);
  const flip = postFlip(url, overBudgetImage, 'image/png');
  const queued = await submitJob(url, overBudgetImage, 'image/png');

  const firstView = await untilFinished(url, first.json.id!);
  assert.equal(firstView.error?.code, 'image_too_complex', firstView.error?.message);
  const response = await flip;
  assert.equal(response.status, 504);
  assert.equal(await errorCode(response), 'job_timeout');
  const view = await untilFinished(url, queued.json.id!);
  assert.equal(view.status, 'failed');
  assert.equal(view.error?.code, 'job_timeout');
  const result = await fetch(`${url}/jobs/${queued.json.id!}/result`);
  assert.equal(result.status, 504);

  // The worker gave both up and takes the next job.
  const next = await submitJob(url, await smallPng(), 'image/png');
  assert.equal((await untilFinished(url, next.json.id!)).status, 'completed');
});

test('kill -9 of a worker mid-flip: the job runs again on another worker and the client gets its image', async (t) => {
  const deployment = await deploy(t, { workers: 2, env: fastStallEnv });
  const flip = postFlip(deployment.apis[0]!.url, await slowSmallPng(), 'image/png');
  const { worker, jobId } = await waitForJobStart(deployment);
  assert.equal(await worker.stop('SIGKILL'), 'SIGKILL');

  await assertSlowSmallPngReply(await flip);
  const rerun = await waitForJobStart(deployment, jobId, 2);
  assert.notEqual(rerun.worker, worker);
});

test('a job that kills its worker twice fails with job_crashed, is not retried again, and other jobs keep flowing', async (t) => {
  const deployment = await deploy(t, { workers: 2, env: fastStallEnv });
  const url = deployment.apis[0]!.url;
  const poison = await submitJob(url, await slowSmallPng(), 'image/png');
  const id = poison.json.id!;

  const firstRun = await waitForJobStart(deployment, id, 1);
  await firstRun.worker.stop('SIGKILL');
  await deployment.addWorker(); // what PM2 or Docker would do
  const secondRun = await waitForJobStart(deployment, id, 2);
  const others = [];
  for (let i = 0; i < 3; i++) others.push((await submitJob(url, await smallPng(), 'image/png')).json.id!);
  await secondRun.worker.stop('SIGKILL');

  const view = await untilFinished(url, id);
  assert.equal(view.status, 'failed');
  assert.equal(view.error?.code, 'job_crashed');
  const result = await fetch(`${url}/jobs/${id}/result`);
  assert.equal(result.status, 500);
  assert.equal(await errorCode(result), 'job_crashed');
  for (const other of others) assert.equal((await untilFinished(url, other)).status, 'completed');
  await assert.rejects(waitForJobStart(deployment, id, 3, 3000), /did not start a run #3/);
  assert.deepEqual(await deployment.redis.keys(`flipstack:input:${id}`), [], 'the input outlived its job');
});

test('Redis restart under load: 503 while it is down, both roles reconnect, no accepted job is lost (AOF)', async (t) => {
  const deployment = await deploy(t, { workers: 2 });
  const url = deployment.apis[0]!.url;
  const image = await encode(pattern(600, 400), 'image/png');
  const accepted: string[] = [];
  for (let i = 0; i < 8; i++) accepted.push((await submitJob(url, image, 'image/png')).json.id!);
  const waiting = [postFlip(url, image, 'image/png'), postFlip(url, image, 'image/png')];
  // Redis stops only once it holds all ten jobs (BullMQ keeps a hash per job id): a /flip that had not reached
  // Redis yet would rightly answer 503, which is not what this test is about.
  const jobHash = /^bull:flips:[0-9a-f-]{36}$/;
  await waitUntil(
    async () => (await deployment.redis.keys('bull:flips:*')).filter((key) => jobHash.test(key)).length >= 10,
    20_000,
  );
  await sleep(200);

  await deployment.redis.stop();
  const refused = await submitJob(url, image, 'image/png');
  assert.equal(refused.response.status, 503);
  assert.equal(refused.json.error?.code, 'queue_unavailable');
  for (const process of [deployment.apis[0]!, ...deployment.workers]) {
    const ready = await fetch(`${process.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(await errorCode(ready), 'queue_unavailable');
  }
  await sleep(1000);
  await deployment.redis.start();

  for (const process of [deployment.apis[0]!, ...deployment.workers])
    await waitForHttp(`${process.url}/readyz`, 20_000);
  for (const response of await Promise.all(waiting)) assert.equal(response.status, 200, await response.clone().text());
  const views = [];
  for (const id of accepted) views.push(await untilFinished(url, id));
  assert.deepEqual(
    views.map((view) => view.status),
    accepted.map(() => 'completed'),
  );
  const after = await submitJob(url, image, 'image/png');
  assert.equal((await untilFinished(url, after.json.id!)).status, 'completed');
});

test('a /flip whose job runs through a Redis outage gets its image once Redis is back', async (t) => {
  const deployment = await deploy(t, { workers: 1 });
  const flip = postFlip(deployment.apis[0]!.url, await slowSmallPng(), 'image/png');
  await waitForJobStart(deployment);
  await deployment.redis.stop();
  await sleep(3000);
  await deployment.redis.start();
  await assertSlowSmallPngReply(await flip);
});

test('graceful stop: a worker finishes its flip before exiting, an api still answers the /flip it waits on', async (t) => {
  const deployment = await deploy(t, { workers: 1 });
  const api = deployment.apis[0]!;
  const worker = deployment.workers[0]!;
  const flip = postFlip(api.url, await slowSmallPng(), 'image/png');
  const { jobId } = await waitForJobStart(deployment);
  const [workerExit, apiExit] = [worker.stop('SIGTERM'), api.stop('SIGTERM')];

  await assertSlowSmallPngReply(await flip);
  assert.equal(await workerExit, 0);
  assert.equal(await apiExit, 0);
  assert.ok(worker.logs.some((line) => line.msg === 'flip job done' && line.jobId === jobId));
  assert.deepEqual(await deployment.redis.keys('flipstack:*'), []);
});

test('PM2 runs worker.js for SERVICE_ROLE=worker, WEB_CONCURRENCY processes, with the custom metrics pm2 monit shows (read from pm2 jlist)', async (t) => {
  // PM2 stops its workers before Redis goes: a worker shutting down without Redis waits for it (bounded by
  // SHUTDOWN_TIMEOUT_MS), and after hooks run in the order they were added.
  const deployment = await startQueueDeployment({ workers: 0 });
  let cluster;
  try {
    cluster = await startPm2Cluster(t, {
      FLIP_MODE: 'queue',
      SERVICE_ROLE: 'worker',
      REDIS_URL: deployment.redis.url,
      WEB_CONCURRENCY: '2',
    });
  } finally {
    t.after(() => deployment.dispose());
  }
  const processes = await cluster.waitFor(
    '2 online workers',
    (ps) => ps.length === 2 && ps.every((p) => p.pm2_env.status === 'online'),
  );
  assert.ok(processes.every((p) => (p as unknown as { name: string }).name === 'flipstack-worker'));
  const url = deployment.apis[0]!.url;
  for (let i = 0; i < 4; i++) {
    const { json } = await submitJob(url, await smallPng(), 'image/png');
    assert.equal((await untilFinished(url, json.id!)).status, 'completed');
  }
  // The rate is a moving average PM2 updates every 5 s: wait for it to count the flips, bounded by waitFor.
  const counted = (p: Pm2Process) =>
    Number(customMetric(p, 'p95 flip ms')) > 0 && Number(customMetric(p, 'flips per minute')) > 0;
  const monitored = await cluster.waitFor('flips counted in pm2 monit', (ps) => ps.some(counted));
  const flipped = monitored.find(counted)!;
  // PM2 samples the value now and then: 0 or 1, whichever moment it caught.
  assert.ok([0, 1].includes(Number(customMetric(flipped, 'flips in flight'))));
});
