import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sample, rootRequests } from '../../../testkit/metrics-text';
import { servingPids } from '../../../testkit/get-text';
import { getText } from '../../../testkit/flip-jobs';
import { disposeService, startService, type ServiceProcess } from '../../../testkit/server-process';

// Long enough for a sibling on a busy machine; short for the test where one never answers.
const PEER_TIMEOUT_MS = 5000;
const SHORT_PEER_TIMEOUT_MS = 500;

/** Scrapes on fresh connections, so that the cluster hands them to different workers. */
async function scrape(service: ServiceProcess): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  const { status, body } = await getText(`${service.url}/metrics`);
  assert.equal(status, 200);
  return { text: body, ms: Date.now() - started };
}

describe('a replica’s /metrics under node:cluster', () => {
  const services: ServiceProcess[] = [];
  after(() => Promise.all(services.map(disposeService)));
  const start = async (peerTimeoutMs: number) => {
    const service = await startService(
      { WEB_CONCURRENCY: '2', METRICS_PEER_TIMEOUT_MS: String(peerTimeoutMs) },
      'cluster.js',
    );
    services.push(service);
    await service.waitForLog(() => service.logs.filter((line) => line.msg === 'listening').length === 2);
    return service;
  };

  it('counts the requests of every worker, whichever worker answers', async () => {
    const service = await start(PEER_TIMEOUT_MS);
    const requests = 30;
    assert.equal(
      (await servingPids(service.url, requests)).size,
      2,
      'the requests must have been spread over both workers',
    );
    for (let i = 0; i < 4; i++) {
      const { text } = await scrape(service);
      assert.equal(sample(text, rootRequests), requests);
      assert.equal(sample(text, 'metrics_instances_answered'), 2);
      assert.equal(sample(text, 'metrics_instances_expected'), 2);
    }
  });

  it('answers in bounded time while a worker is stopped, killed and respawned', async () => {
    const service = await start(SHORT_PEER_TIMEOUT_MS);
    const [victim] = service.logs.filter((line) => line.msg === 'listening').map((line) => line.pid as number);
    const requests = 10;
    await servingPids(service.url, requests);
    // Two scrapes, one per worker (round robin): each now holds its sibling's last answer.
    for (let i = 0; i < 2; i++) assert.equal(sample((await scrape(service)).text, rootRequests), requests);
    // A stopped process accepts connections (the kernel queues them) and never answers: the busy-loop case.
    process.kill(victim!, 'SIGSTOP');
    try {
      // The cluster hands some scrapes to the stopped worker too; the ones the live worker answers must come
      // back within the sibling timeout, counting one worker.
      const scrapes = await Promise.allSettled(
        Array.from({ length: 4 }, () =>
          Promise.race([
            scrape(service),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('unanswered')), 5000)),
          ]),
        ),
      );
      const answered = scrapes.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      assert.ok(answered.length > 0, 'the live worker must answer');
      for (const { text, ms } of answered) {
        assert.equal(sample(text, 'metrics_instances_answered'), 1);
        // The silent worker counts with its last answer: the replica's counters do not drop.
        assert.equal(sample(text, 'metrics_instances_cached'), 1);
        assert.equal(sample(text, rootRequests), requests);
        assert.ok(ms < SHORT_PEER_TIMEOUT_MS + 2000, `scrape took ${ms} ms`);
      }
    } finally {
      process.kill(victim!, 'SIGCONT');
    }
    process.kill(victim!, 'SIGKILL');
    // While the victim is dead and while its replacement boots, every scrape still answers; a dead worker's
    // last answer is dropped, as its counts are gone.
    for (let i = 0; i < 5; i++) {
      const { text } = await scrape(service);
      assert.ok([1, 2].includes(sample(text, 'metrics_instances_answered')));
    }
    await service.waitForLog(() => service.logs.filter((line) => line.msg === 'listening').length === 3);
    assert.equal(sample((await scrape(service)).text, 'metrics_instances_answered'), 2);
  });
});
