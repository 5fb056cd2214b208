import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { servingPids } from '../../testkit/get-text';
import { getText, postSlowFlip, unhurriedFlipEnv, waitForGauge } from '../../testkit/flip-jobs';
import { disposeService, leftoverFiles, startService, type ServiceProcess } from '../../testkit/server-process';

function listeningPids(service: ServiceProcess): number[] {
  return service.logs.filter((line) => line.msg === 'listening').map((line) => line.pid as number);
}

describe('cluster runner', () => {
  const services: ServiceProcess[] = [];
  after(() => Promise.all(services.map(disposeService)));
  const start = async (env: Record<string, string>) => {
    const service = await startService({ WEB_CONCURRENCY: '2', ...env }, 'cluster.js');
    services.push(service);
    await service.waitForLog(() => listeningPids(service).length === 2);
    return service;
  };

  it('serves every route from more than one worker', async () => {
    const service = await start({});
    const pids = await servingPids(service.url, 20);
    assert.deepEqual([...pids].sort(), listeningPids(service).sort());
    assert.equal(pids.has(service.child.pid!), false, 'the primary must not serve');
    for (const path of ['/cpu', '/healthz', '/readyz', '/metrics'])
      assert.equal((await getText(`${service.url}${path}`)).status, 200);
  });

  it('respawns a worker killed with SIGKILL', async () => {
    const service = await start({});
    const [victim, survivor] = listeningPids(service);
    process.kill(victim!, 'SIGKILL');
    const died = await service.waitForLog((line) => line.msg === 'instance died; restarting');
    assert.equal(died.signal, 'SIGKILL');
    await service.waitForLog(() => listeningPids(service).length === 3);
    const replacement = listeningPids(service)[2]!;
    const pids = await servingPids(service.url, 20);
    assert.deepEqual([...pids].sort(), [survivor!, replacement].sort());
  });

  it('keeps serving while the crash switch kills workers, respawning each', async () => {
    const service = await start({ CRASH_AFTER_MS_MAX: '400' });
    const deaths = () => service.logs.filter((line) => line.msg === 'instance died; restarting');
    // GET / on fresh connections until three workers died and two of their replacements answered. A request can
    // meet the moment every worker is down (node:cluster then closes the port), or be handed to a worker as it
    // dies (never answered: given up after 3 s): it is counted and sent again.
    const servedBy = new Set<number>();
    let refused = 0;
    const deadline = Date.now() + 60_000;
    const replacementsServed = () =>
      listeningPids(service)
        .slice(2)
        .filter((pid) => servedBy.has(pid)).length;
    while (deaths().length < 3 || replacementsServed() < 2) {
      assert.ok(
        Date.now() < deadline,
        `after 60 s: ${deaths().length} deaths, ${replacementsServed()} replacements served, ${refused} refused or lost`,
      );
      try {
        const { status, body } = await getText(`${service.url}/`, 3000);
        assert.equal(status, 200);
        const pid = Number(/pid: (\d+)/.exec(body)![1]);
        servedBy.add(pid);
      } catch (error) {
        if (!/ECONNREFUSED|ECONNRESET|socket hang up|no answer/.test((error as Error).message)) throw error;
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    assert.ok(deaths().every((line) => line.code === 1));
    assert.equal(servedBy.has(service.child.pid!), false, 'the primary must not serve');
  });

  it('on SIGTERM lets the in-flight flip finish, stops every worker and exits 0', async () => {
    const service = await start(unhurriedFlipEnv);
    const flip = postSlowFlip(service);
    await waitForGauge(service, 'flips_in_flight', 1);
    service.child.kill('SIGTERM');
    const flipped = await flip;
    assert.equal(flipped.status, 200);
    await flipped.arrayBuffer();
    assert.equal(await service.exited, 0);
    assert.equal(service.logs.filter((line) => line.msg === 'instance died; restarting').length, 0);
    assert.deepEqual(leftoverFiles(service.tmp), []);
  });
});
