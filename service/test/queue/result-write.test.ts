import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../../../testkit/redis-server';
import { resultWrite } from '../../src/queue/result-write';

describe('resultWrite (a real redis-server at maxmemory)', () => {
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    server = await startRedis(['--maxmemory', '4mb']);
    redis = new Redis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await server?.dispose();
  });

  it("stores a result in its input's place when Redis refuses every other write", async () => {
    const input = Buffer.alloc(256 * 1024, 1);
    // Fill Redis with accepted inputs until it refuses one, as the api's admission would see it.
    let stored = 0;
    for (; stored < 64; stored++) {
      const refused = await redis.set(`input:${stored}`, input).then(
        () => false,
        (error: Error) => /^OOM/.test(error.message),
      );
      if (refused) break;
    }
    assert.ok(stored > 0 && stored < 64, `${stored} inputs stored before Redis was full`);
    await assert.rejects(redis.set('another', input), /^ReplyError: OOM|OOM/);

    // A result may be larger than its input (a JPEG re-encoded at a higher quality, a PNG our encoder compresses
    // less): freeing the input first is then not enough for a plain SET.
    const result = Buffer.alloc(2 * input.length, 2);
    await redis.del('input:1');
    await assert.rejects(redis.set('result:1', result), /OOM/);

    assert.equal(await resultWrite(redis)({ inputKey: 'input:0', resultKey: 'result:0' }, result, 60), 'OK');
    assert.equal(await redis.exists('input:0'), 0);
    assert.deepEqual(await redis.getBuffer('result:0'), result);
    const ttl = await redis.ttl('result:0');
    assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}`);
  });
});
