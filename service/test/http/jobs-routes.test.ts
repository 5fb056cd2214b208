import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorCode, jobView, submitJob, untilFinished } from '../../../testkit/jobs-client';
import { slowSmallPng } from '../../../testkit/flip-jobs';
import { decode, difference, encode, flipExpected, pattern, pngHeaderOnly } from '../../../testkit/images';
import { startQueueDeployment, waitForJobStart, type QueueDeployment } from '../../../testkit/queue-deployment';
import { disposeService, startService, type ServiceProcess } from '../../../testkit/server-process';

describe('the /jobs API (FLIP_MODE=queue)', () => {
  let deployment: QueueDeployment;
  let url: string;
  before(async () => {
    deployment = await startQueueDeployment();
    url = deployment.apis[0]!.url;
  });
  after(() => deployment?.dispose());

  it('accepts a job with 202 and a Location, reports it, and serves its result', async () => {
    const source = pattern(31, 17);
    const { response, json } = await submitJob(url, await encode(source, 'image/png'), 'image/png', '?axis=horizontal');
    assert.equal(response.status, 202);
    assert.equal(json.status, 'waiting');
    assert.equal(response.headers.get('location'), `/jobs/${json.id!}`);

    const view = await untilFinished(url, json.id!);
    assert.equal(view.status, 'completed');
    assert.equal(view.error, null);
    assert.equal(view.position, null);
    assert.ok(Date.parse(view.createdAt) <= Date.parse(view.startedAt!));
    assert.ok(Date.parse(view.startedAt!) <= Date.parse(view.finishedAt!));
    assert.equal(
      view.ms,
      Date.parse(view.finishedAt!) - Date.parse(view.startedAt!),
      'ms is the run from start to finish',
    );
    assert.match(view.worker ?? '', /\/\d+$/);

    const result = await fetch(`${url}${response.headers.get('location')}/result`);
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('content-type'), 'image/png');
    const flipped = await decode(Buffer.from(await result.arrayBuffer()));
    assert.deepEqual(difference(flipped, flipExpected(source, 'horizontal')), { max: 0, mean: 0 });
  });

  it('reports queue positions and answers 409 not_ready until a job is done', async () => {
    const running = await submitJob(url, await slowSmallPng(), 'image/png');
    await waitForJobStart(deployment, running.json.id!);
    assert.equal((await jobView(url, running.json.id!)).status, 'active');
    const small = await encode(pattern(8, 8), 'image/png');
    const second = await submitJob(url, small, 'image/png');
    const third = await submitJob(url, small, 'image/png');
    assert.deepEqual(
      [(await jobView(url, second.json.id!)).position, (await jobView(url, third.json.id!)).position],
      [1, 2],
    );
    const early = await fetch(`${url}/jobs/${third.json.id!}/result`);
    assert.equal(early.status, 409);
    assert.equal(await errorCode(early), 'not_ready');
    await untilFinished(url, third.json.id!);
  });

  it("answers a failed job's own error, from its status and its result", async () => {
    const truncated = (await encode(pattern(64, 64), 'image/jpeg')).subarray(0, 900);
    const { response, json } = await submitJob(url, truncated, 'image/jpeg');
    assert.equal(response.status, 202);
    const view = await untilFinished(url, json.id!);
    assert.equal(view.status, 'failed');
    assert.equal(view.error?.code, 'invalid_image');
    const result = await fetch(`${url}/jobs/${json.id!}/result`);
    assert.equal(result.status, 400);
    assert.equal(await errorCode(result), 'invalid_image');
  });

  it('validates a job as POST /flip does, before it is queued', async () => {
    const png = await encode(pattern(4, 4), 'image/png');
    const refusals = [
      [await submitJob(url, png, 'text/plain'), 415, 'unsupported_media_type'],
      [await submitJob(url, png, 'image/png', '?axis=diagonal'), 400, 'invalid_parameter'],
      [await submitJob(url, pngHeaderOnly(100_000, 100_000), 'image/png'), 422, 'too_many_pixels'],
      [await submitJob(url, png, 'image/jpeg'), 400, 'invalid_image'],
    ] as const;
    for (const [{ response, json }, status, code] of refusals) {
      assert.equal(response.status, status);
      assert.equal(json.error?.code, code);
    }
  });

  it('answers 404 not_found for an unknown job and its result', async () => {
    for (const path of ['/jobs/no-such-job', '/jobs/no-such-job/result']) {
      const response = await fetch(url + path);
      assert.equal(response.status, 404);
      assert.equal(await errorCode(response), 'not_found');
    }
  });
});

describe('the /jobs API in inline mode', () => {
  let service: ServiceProcess;
  before(async () => {
    service = await startService();
  });
  after(() => disposeService(service));

  it('answers 501 queue_mode_required on every /jobs route', async () => {
    const png = await encode(pattern(4, 4), 'image/png');
    const answers = [
      await fetch(`${service.url}/jobs`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png }),
      await fetch(`${service.url}/jobs/abc`),
      await fetch(`${service.url}/jobs/abc/result`),
    ];
    for (const response of answers) {
      assert.equal(response.status, 501);
      assert.equal(await errorCode(response), 'queue_mode_required');
    }
  });
});
