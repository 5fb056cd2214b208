import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { startRedis, type RedisServer } from '../../../testkit/redis-server';
import { ServiceError } from '../../src/errors';
import { createLogger } from '../../src/observability/logger';
import { jobFailure } from '../../src/queue/job-failure';
import { FLIP_QUEUE_NAME } from '../../src/queue/job-wire';
import { patientRedis } from '../../src/queue/redis-connection';
import { JobQueue } from '../../src/queue/job-queue';
import { waitUntil } from '../../../testkit/wait-until';
import { encode, pattern } from '../../../testkit/images';

describe('JobQueue (a real redis-server and a BullMQ worker)', () => {
  let server: RedisServer;
  let flips: JobQueue;
  before(async () => {
    server = await startRedis();
    flips = new JobQueue(
      { timeoutMs: 5000 },
      {
        redisUrl: server.url,
        queueMax: 10,
        resultTtlS: 60,
        lockMs: 5000,
        stalledIntervalMs: 5000,
        maxStalledCount: 1,
        keepFinished: 100,
      },
      createLogger('silent'),
    );
    await waitUntil(async () => flips.ready, 10_000);
  });
  after(async () => {
    await flips?.close();
    await server?.dispose();
  });

  it("answers a job's own queue_unavailable failure at once, not as an outage to wait out until the deadline", async () => {
    // How a worker fails a job whose result Redis refused to store.
    const connection = patientRedis(server.url);
    const worker = new Worker(
      FLIP_QUEUE_NAME,
      () => Promise.reject(jobFailure('queue_unavailable', 'Redis could not store the result: OOM')),
      { connection },
    );
    try {
      const input = await encode(pattern(8, 8), 'image/png');
      await assert.rejects(
        flips.run({ input: new Uint8Array(input), mime: 'image/png', axis: 'vertical', quality: 80, maxPixels: 100 }),
        (error: unknown) =>
          error instanceof ServiceError &&
          error.code === 'queue_unavailable' &&
          error.message === 'Redis could not store the result: OOM',
      );
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });
});
