import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../../../testkit/redis-server';
import { Admission } from '../../src/queue/admission';

describe('Admission (a real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let queue: Queue;
  let admission: Admission;
  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    queue = new Queue('admission-test', { connection: redis });
    admission = new Admission(redis, queue, 2);
  });
  after(async () => {
    await queue?.close();
    redis?.disconnect();
    await server?.dispose();
  });
  beforeEach(() => redis.flushall());

  const add = (id: string) => async () => {
    await queue.add('job', {}, { jobId: id });
  };
  const reservations = () => redis.zrange(queue.toKey('admissions'), 0, -1);

  it('admits up to the bound, then answers the count that filled it without adding', async () => {
    assert.equal(await admission.admit('a', add('a')), undefined);
    assert.equal(await admission.admit('b', add('b')), undefined);
    assert.equal(await admission.admit('c', add('c')), 2);
    assert.equal(await queue.getWaitingCount(), 2);
    assert.deepEqual(await reservations(), []);
  });

  it('counts an admission under way (reserved, not yet added) once, and its job once added', async () => {
    let release!: () => void;
    const added = new Promise<void>((resolve) => (release = resolve));
    const first = admission.admit('a', async () => {
      await added;
      await add('a')();
    });
    await admission.admit('b', add('b'));
    // a's reservation plus b's job fill the bound while a is still being added.
    assert.equal(await admission.admit('c', add('c')), 2);
    release();
    assert.equal(await first, undefined);
    assert.equal(await admission.admit('c', add('c')), 2);
  });

  it('frees the slot of a failed add, and of an api that died holding a reservation once it expires', async () => {
    await assert.rejects(
      admission.admit('a', () => Promise.reject(new Error('lost'))),
      /lost/,
    );
    // A dead api's reservations: one expired, one still live.
    await redis.zadd(queue.toKey('admissions'), 1, 'expired', Date.now() + 60_000, 'live');
    assert.equal(await admission.admit('b', add('b')), undefined);
    assert.equal(await admission.admit('c', add('c')), 2);
    assert.deepEqual(await reservations(), ['live']);
  });
});
