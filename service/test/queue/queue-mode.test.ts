import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

  const cases: Array<{ name: string; body: () => Promise<Buffer | undefined>; type?: string; query?: string }> = [
    {
      name: 'a PNG, both axes',
      body: () => encode(pattern(37, 23), 'image/png'),
      type: 'image/png',
      query: '?axis=both',
    },
    {
      name: 'a JPEG at quality 50',
      body: () => encode(pattern(64, 48), 'image/jpeg'),
      type: 'image/jpeg',
      query: '?quality=50',
    },
    {
      name: 'a BMP, horizontal',
      body: () => encode(pattern(9, 7), 'image/bmp'),
      type: 'image/bmp',
      query: '?axis=horizontal',
    },
    { name: 'garbage', body: async () => Buffer.from('not an image'), type: 'image/png' },
    {
      name: 'a truncated JPEG (the worker finds it)',
      body: async () => (await encode(pattern(64, 64), 'image/jpeg')).subarray(0, 900),
      type: 'image/jpeg',
    },
    { name: 'a PNG sent as JPEG', body: () => encode(pattern(8, 8), 'image/png'), type: 'image/jpeg' },
    { name: 'a pixel bomb', body: async () => pngHeaderOnly(100_000, 100_000), type: 'image/png' },
    { name: 'text/plain', body: async () => Buffer.from('hello'), type: 'text/plain' },
    { name: 'a body over FLIP_MAX_BYTES', body: async () => Buffer.alloc(300_000, 1), type: 'image/png' },
    {
      name: 'an unknown axis',
      body: () => encode(pattern(4, 4), 'image/png'),
      type: 'image/png',
      query: '?axis=diagonal',
    },
    { name: 'a quality of 0', body: () => encode(pattern(4, 4), 'image/png'), type: 'image/png', query: '?quality=0' },
  ];
  for (const { name, body, type, query } of cases) {
    it(`answers ${name} exactly as inline mode does`, async () => {
      const input = await body();
      const [expected, actual] = await Promise.all([
        post(inline.url, input, type, query),
        post(queued.apis[0]!.url, input, type, query),
      ]);
      assert.equal(actual.status, expected.status);
      assert.equal(actual.contentType, expected.contentType);
      assert.equal(actual.headers.get('x-request-id'), 'parity-check');
      assert.match(actual.headers.get('x-served-by') ?? '', /\/\d+$/);
      assert.match(actual.headers.get('x-response-time') ?? '', /ms$/);
      if (expected.status === 200) assert.ok(actual.bytes.equals(expected.bytes), 'the flipped images differ');
      else assert.deepEqual(JSON.parse(actual.bytes.toString()), JSON.parse(expected.bytes.toString()));
    });
  }

  it('runs the demo job with no body, on a worker', async () => {
    const { status, bytes } = await post(queued.apis[0]!.url, undefined, undefined);
    assert.equal(status, 200);
    const report = JSON.parse(bytes.toString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), ['bytes', 'hostname', 'ms', 'pid']);
    assert.ok((report.bytes as number) > 1000);
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
    assert.match(text, /^flip_queue_wait_seconds_count [1-9]\d*$/m);
    assert.match(text, /^process_resident_memory_bytes /m);
  });

  it('leaves no image in Redis once the flips are answered', async () => {
    const keys = await queued.redis.keys('flipstack:*');
    assert.deepEqual(keys, []);
  });
});
