// The stack on a real Docker Swarm of 3 nodes (deploy/swarm/up.sh: Docker-in-Docker nodes on this machine, a
// local registry), under a prefix unique to this run, torn down afterwards whatever happened. One swarm serves
// every test; each changes it under steady load through nginx and requires that no request fails.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode, pattern } from '../testkit/images';
import { docker } from '../testkit/compose';
import { freePort } from '../testkit/free-port';
import { fetchResendingOnClose, steadyLoad, type LoadRequest } from './support/steady-load';
import { LocalSwarm } from './support/swarm';
import { waitUntil } from '../testkit/wait-until';

const NODES = 3;
const REPLICAS = 3;
const imageTag = process.env.IMAGE_TAG ?? 'latest';

let swarm: LocalSwarm;
let baseUrl: string;
let smallJpeg: Buffer;

const servedBy = (response: Response) => response.headers.get('x-served-by')?.split('/')[0];

function mixedLoad(): LoadRequest[] {
  const flip = { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: smallJpeg };
  return [{ path: '/' }, { path: '/flip', init: flip }];
}

/** The nodes that answered `count` requests through nginx (resent like the load's when a reload closed them). */
async function nodesReached(request: LoadRequest, count: number): Promise<Set<string>> {
  const nodes = new Set<string>();
  for (let i = 0; i < count; i++) {
    const response = await fetchResendingOnClose(baseUrl + request.path, request.init, { resent: 0 });
    assert.equal(response.status, 200, await response.text());
    nodes.add(swarm.nodeOf(servedBy(response)!));
  }
  return nodes;
}

/** Until the service has exactly `replicas` running tasks and nginx reaches as many nodes as they run on. */
async function converged(replicas: number, timeoutMs: number): Promise<void> {
  await waitUntil(async () => {
    const running = await swarm.runningOn('service');
    if (running.length !== replicas) return false;
    const reached = await nodesReached({ path: '/' }, 3 * replicas);
    return new Set(running).size === reached.size;
  }, timeoutMs);
}

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  smallJpeg = await encode(pattern(64, 48), 'image/jpeg');
  swarm = new LocalSwarm('swarmtest', { HTTP_PORT: String(port), REPLICAS: String(REPLICAS) });
  const started = Date.now();
  await swarm.up(NODES);
  await converged(REPLICAS, 120_000);
  console.log(
    `swarm of ${NODES} nodes up, nginx reaching every node that runs a replica, in ${Date.now() - started} ms`,
  );
});

after(async () => {
  await swarm?.down();
});

test('GET / and flips through nginx reach replicas on at least two nodes', { timeout: 60_000 }, async () => {
  const flip = mixedLoad()[1]!;
  assert.ok((await nodesReached({ path: '/' }, 12)).size >= 2);
  assert.ok((await nodesReached(flip, 12)).size >= 2);
});

test('scaling 3 -> 5 -> 2 -> 3 fails no request', { timeout: 180_000 }, async (t) => {
  await underSteadyLoad(t, async () => {
    for (const replicas of [5, 2, REPLICAS]) {
      await swarm.manager('service', 'scale', '--detach=false', `${swarm.stack}_service=${replicas}`);
      await converged(replicas, 90_000);
    }
  });
});

test('a start-first rolling update to a new image fails no request', { timeout: 240_000 }, async (t) => {
  const next = await pushNextImage();
  await underSteadyLoad(t, async () => {
    const started = Date.now();
    await swarm.manager('service', 'update', '--detach=false', '--quiet', '--image', next, `${swarm.stack}_service`);
    t.diagnostic(`rolling update of ${REPLICAS} replicas took ${Date.now() - started} ms`);
  });
  const images = await swarm.manager(
    'service',
    'inspect',
    '--format',
    '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
    `${swarm.stack}_service`,
  );
  // Swarm pins the tag to the digest it resolved in the registry: <next>@sha256:…
  assert.equal(images.split('@')[0], next);
  assert.equal((await swarm.runningOn('service')).length, REPLICAS);
});

test('draining a node fails no request and moves its replicas', { timeout: 180_000 }, async (t) => {
  const victim = await aWorkerRunningTheService();
  await underSteadyLoad(t, async () => {
    await swarm.manager('node', 'update', '--availability', 'drain', victim);
    await waitUntil(async () => !(await swarm.runningOn('service')).includes(victim), 90_000);
    await converged(REPLICAS, 90_000);
  });
  await swarm.manager('node', 'update', '--availability', 'active', victim);
});

test(
  'a worker node killed under load fails no request, and its tasks run elsewhere',
  { timeout: 240_000 },
  async (t) => {
    const victim = await aWorkerRunningTheService();
    await underSteadyLoad(t, async () => {
      await sleep(2_000);
      const killed = Date.now();
      await docker('kill', victim);
      await waitUntil(async () => (await swarm.nodes()).get(victim)?.status === 'Down', 90_000);
      const down = Date.now();
      await waitUntil(async () => {
        const running = await swarm.runningOn('service');
        return running.length === REPLICAS && !running.includes(victim);
      }, 120_000);
      t.diagnostic(
        `node marked down ${down - killed} ms after the kill, its tasks running elsewhere after ${Date.now() - killed} ms`,
      );
      await converged(REPLICAS, 60_000);
    });
  },
);

/** A worker node (never node1, which runs nginx) with a running replica of the service. */
async function aWorkerRunningTheService(): Promise<string> {
  const running = await swarm.runningOn('service');
  const victim = running.find((node) => node !== swarm.nodeName(1));
  assert.ok(victim, `no worker runs a replica: ${running.join(', ')}`);
  return victim;
}

/** The service's image pushed to the swarm's registry under a new tag, as a release would be; its name there. */
async function pushNextImage(): Promise<string> {
  const registry = `${swarm.prefix}-registry`;
  const published = (await docker('port', registry, '5000/tcp')).split('\n')[0]!.replace(/.*:/, '');
  const tag = `${imageTag}-next`;
  const pushed = `127.0.0.1:${published}/flipstack-service:${tag}`;
  await docker('tag', `flipstack-service:${imageTag}`, pushed);
  try {
    await docker('push', '--quiet', pushed);
  } finally {
    await docker('rmi', pushed);
  }
  return `${registry}:5000/flipstack-service:${tag}`;
}

/** Runs the steps under a steady mix of GET / and small flips, then asserts that no request failed. */
async function underSteadyLoad(t: TestContext, steps: () => Promise<void>): Promise<void> {
  const load = steadyLoad(baseUrl, mixedLoad(), { maxDurationMs: 200_000 });
  try {
    await steps();
  } finally {
    await load.stop();
  }
  const { sent, failed, resent, failures, answers } = load.report;
  t.diagnostic(`load: ${sent} requests, ${failed} failed, ${resent} resent after a keep-alive close`);
  if (failed > 0) {
    assert.fail(`${failed} of ${sent} failed: ${failures.join('; ')}\n${await swarm.proxyNotes()}`);
  }
  assert.ok(sent >= 50, `only ${sent} requests sent: the load did not run`);
  assert.ok(answers.size >= 2, `only ${answers.size} replica(s) answered`);
}
