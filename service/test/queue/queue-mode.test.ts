import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { ErrorCode } from '../../src/errors';
import { waitUntil } from '../../../testkit/wait-until';
import { encode, pattern, pngHeaderOnly } from '../../../testkit/images';
import { startQueueDeployment, type QueueDeployment } from '../../../testkit/queue-deployment';
import { disposeService, startService, type ServiceProcess } from '../../../testkit/server-process';

interface Answer {
  status: number;
  contentType: string | null;
  bytes: Buffer;
  headers: Headers;
}

async function post(
  url: string,
  body: Buffer | undefined,
  contentType: string | undefined,
  query = '',
): Promise<Answer> {
  const response = await fetch(`${url}/flip${query}`, {
    method: 'POST',
    headers: { ...(contentType && { 'content-type': contentType }), 'x-request-id': 'parity-check' },
    ...(body && { body }),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    bytes,
    headers: response.headers,
  };
}

// Same limits in both modes; the queue-mode api and its worker each get them.
const env = { FLIP_MAX_BYTES: '200000' };

describe("POST /flip: queue mode keeps inline mode's contract", () => {
  let inline: ServiceProcess;
  let queued: QueueDeployment;
  before(async () => {
    [inline, queued] = await Promise.all([startService(env), startQueueDeployment({ env })]);
  });
  after(async () => {
    await disposeService(inline);
    await queued?.dispose();
  });

  // Each case pins the answer both modes must give, and where queue mode gives it: the api refuses what it can
  // tell from the request and the image's header; anything else is flipped (or found broken) by a worker.
  const cases: Array<{
    name: string;
    body: () => Promise<Buffer | undefined>;
    type?: string;
    query?: string;
    status: number;
    code?: ErrorCode;
    by: 'worker' | 'api';
  }> = [
    {
      name: 'a PNG, both axes',
      body: () => encode(pattern(37, 23), 'image/png'),
      type: 'image/png',
      query: '?axis=both',
      status: 200,
      by: 'worker',
    },
    {
      name: 'a JPEG at quality 50',
      body: () => encode(pattern(64, 48), 'image/jpeg'),
      type: 'image/jpeg',
      query: '?quality=50',
      status: 200,
      by: 'worker',
    },
    {
      name: 'a BMP, horizontal',
      body: () => encode(pattern(9, 7), 'image/bmp'),
      type: 'image/bmp',
      query: '?axis=horizontal',
      status: 200,
      by: 'worker',
    },
    {
      name: 'garbage',
      body: async () => Buffer.from('not an image'),
      type: 'image/png',
      status: 400,
      code: 'invalid_image',
      by: 'api',
    },
    {
      name: 'a truncated JPEG (the worker finds it)',
      body: async () => (await encode(pattern(64, 64), 'image/jpeg')).subarray(0, 900),
      type: 'image/jpeg',
      status: 400,
      code: 'invalid_image',
      by: 'worker',
    },
    {
      name: 'a PNG sent as JPEG',
      body: () => encode(pattern(8, 8), 'image/png'),
      type: 'image/jpeg',
      status: 400,
      code: 'invalid_image',
      by: 'api',
    },
    {
      name: 'a pixel bomb',
      body: async () => pngHeaderOnly(100_000, 100_000),
      type: 'image/png',
      status: 422,
      code: 'too_many_pixels',
      by: 'api',
    },
    {
      name: 'text/plain',
      body: async () => Buffer.from('hello'),
      type: 'text/plain',
      status: 415,
      code: 'unsupported_media_type',
      by: 'api',
    },
    {
      name: 'a body over FLIP_MAX_BYTES',
      body: async () => Buffer.alloc(300_000, 1),
      type: 'image/png',
      status: 413,
      code: 'payload_too_large',
      by: 'api',
    },
    {
      name: 'an unknown axis',
      body: () => encode(pattern(4, 4), 'image/png'),
      type: 'image/png',
      query: '?axis=diagonal',
      status: 400,
      code: 'invalid_parameter',
      by: 'api',
    },
    {
      name: 'a quality of 0',
      body: () => encode(pattern(4, 4), 'image/png'),
      type: 'image/png',
      query: '?quality=0',
      status: 400,
      code: 'invalid_parameter',
      by: 'api',
    },
  ];
  const jobsStarted = () =>
    queued.workers.flatMap((worker) => worker.logs).filter((line) => line.msg === 'flip job started').length;
  for (const { name, body, type, query, status, code, by } of cases) {
    it(`answers ${name} exactly as inline mode does`, async () => {
      const input = await body();
      const startedBefore = jobsStarted();
      const [expected, actual] = await Promise.all([
        post(inline.url, input, type, query),
        post(queued.apis[0]!.url, input, type, query),
      ]);
      assert.equal(expected.status, status, expected.bytes.subarray(0, 300).toString());
      assert.equal(actual.status, expected.status);
      assert.equal(actual.contentType, expected.contentType);
      assert.equal(actual.headers.get('retry-after'), expected.headers.get('retry-after'));
      assert.equal(actual.headers.get('x-request-id'), 'parity-check');
      assert.match(actual.headers.get('x-served-by') ?? '', /\/\d+$/);
      assert.match(actual.headers.get('x-response-time') ?? '', /ms$/);
      if (status === 200) assert.ok(actual.bytes.equals(expected.bytes), 'the flipped images differ');
      else {
        assert.equal(JSON.parse(expected.bytes.toString()).error.code, code);
        assert.deepEqual(JSON.parse(actual.bytes.toString()), JSON.parse(expected.bytes.toString()));
      }
      // A job's start is logged before its answer reaches the api, so it is in the logs by now (or very soon).
      if (by === 'worker') await waitUntil(() => jobsStarted() === startedBefore + 1, 5000);
      else assert.equal(jobsStarted(), startedBefore, 'the api queued a job it could have refused');
    });
  }

  it('runs the demo job with no body, on a worker', async () => {
    const startedBefore = jobsStarted();
    const { status, bytes } = await post(queued.apis[0]!.url, undefined, undefined);
    assert.equal(status, 200);
    const report = JSON.parse(bytes.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), ['bytes', 'hostname', 'ms', 'pid']);
    // The report names the process that answered, as inline; the flip itself was a worker's job.
    assert.deepEqual([report.hostname, report.pid], [hostname(), queued.apis[0]!.child.pid]);
    assert.ok((report.bytes as number) > 1000);
    await waitUntil(() => jobsStarted() === startedBefore + 1, 5000);
  });

  it("adds the deployment's queue figures to /metrics", async () => {
    const text = await (await fetch(`${queued.apis[0]!.url}/metrics`)).text();
    assert.match(text, /^http_request_duration_seconds_count/m);
    assert.match(text, /^bullmq_job_count\{queue="flips", state="completed"\} [1-9]\d*$/m);
    assert.match(text, /^bullmq_job_completed_total\{queue="flips"\} [1-9]\d*$/m);
  });

  it('has each worker serve its own flips on /metrics, for Prometheus', async () => {
    const text = await (await fetch(`${queued.workers[0]!.url}/metrics`)).text();
    assert.match(text, /^flip_job_duration_seconds_count\{outcome="ok"\} [1-9]\d*$/m);
    assert.match(text, /^flip_wait_seconds_count [1-9]\d*$/m);
    assert.match(text, /^process_resident_memory_bytes /m);
  });

  it('leaves no image in Redis once the flips are answered', async () => {
    const keys = await queued.redis.keys('flipstack:*');
    assert.deepEqual(keys, []);
  });
});
