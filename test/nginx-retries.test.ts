// Which requests the project's nginx sends again after a replica received them and died (issue 9): never
// POST /jobs (a resend would enqueue a duplicate job), still POST /flip. The real nginx config, a real queue-mode
// api and redis-server; between nginx and the api a replica that takes each request, passes it on, then dies.
import assert from 'node:assert/strict';
import { createServer, createConnection, type Socket } from 'node:net';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { encode, pattern } from '../testkit/images';
import { startQueueDeployment } from '../testkit/queue-deployment';
import { startProjectNginx } from './support/project-nginx';

/** A replica that forwards every request to upstreamPort and resets nginx's connection 1 s later, unanswered. */
async function dyingReplica(t: TestContext, upstreamPort: number): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.once('data', (chunk: Buffer) => {
      received.push(chunk.toString('latin1').split(' ', 2).join(' '));
      setTimeout(() => {
        client.resetAndDestroy();
        upstream.destroy();
      }, 1000);
    });
    client.pipe(upstream);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { port: address.port, received };
}

test('nginx never resends a POST /jobs a replica received, and still resends POST /flip', async (t) => {
  // No worker: every job the api enqueues stays waiting, countable.
  const deployment = await startQueueDeployment({ apis: 1, workers: 0 });
  t.after(() => deployment.dispose());
  const replica = await dyingReplica(t, Number(new URL(deployment.apis[0]!.url).port));
  // The replica twice, as upstream-watch lists each one: a retry would find a second member.
  const nginx = await startProjectNginx(t, [`127.0.0.1:${replica.port}`, `127.0.0.1:${replica.port}`]);
  const redis = new Redis(deployment.redis.url);
  t.after(() => redis.quit());
  const image = await encode(pattern(8, 8), 'image/png');
  const post = (path: string) =>
    fetch(`${nginx.url}${path}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: image });

  const job = await post('/jobs');
  assert.equal(job.status, 502);
  assert.deepEqual(replica.received, ['POST /jobs']);
  assert.equal(await redis.llen('bull:flips:wait'), 1, 'exactly one job enqueued');

  const flip = await post('/flip');
  assert.equal(flip.status, 502);
  assert.deepEqual(replica.received, ['POST /jobs', 'POST /flip', 'POST /flip']);
});
