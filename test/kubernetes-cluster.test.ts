// Inline mode on a real Kubernetes cluster of 2 nodes (deploy/kubernetes/local/up.sh: real kubelets in node
// containers on this machine), the shipped manifests applied through the local overlay, under a prefix unique to
// this run, torn down afterwards whatever happened. Each test changes the cluster under steady load through
// nginx and requires that no request fails; the host's kernel settings are the same at the end.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode, pattern } from '../service/test/support/images';
import { docker } from './support/compose';
import { freePort } from './support/free-port';
import { hostSysctls } from './support/host-sysctls';
import { LocalKubernetes } from './support/kubernetes-cluster';
import { fetchResendingOnClose, steadyLoad, type LoadRequest } from './support/steady-load';
import { waitUntil } from './support/wait-until';

const NODES = 2;
// The HorizontalPodAutoscaler's minimum (deploy/kubernetes/base/cpu-autoscaling/hpa.yaml).
const REPLICAS = 2;

let cluster: LocalKubernetes;
let baseUrl: string;
let smallJpeg: Buffer;
const sysctlsBefore = hostSysctls();

function mixedLoad(): LoadRequest[] {
  const flip = { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: smallJpeg };
  return [{ path: '/' }, { path: '/flip', init: flip }];
}

/** The nodes whose pods answered `count` requests through nginx (X-Served-By names the pod). */
async function nodesReached(request: LoadRequest, count: number): Promise<Set<string>> {
  const nodeOf = new Map((await cluster.pods()).map((pod) => [pod.name, pod.node]));
  const nodes = new Set<string>();
  for (let i = 0; i < count; i++) {
    const response = await fetchResendingOnClose(baseUrl + request.path, request.init, { resent: 0 });
    assert.equal(response.status, 200, await response.text());
    nodes.add(nodeOf.get(response.headers.get('x-served-by')!.split('/')[0]!) ?? 'unknown');
  }
  return nodes;
}

/** Until the service has `replicas` Ready pods and nginx reaches the nodes they run on. */
async function converged(replicas: number, timeoutMs: number): Promise<void> {
  await waitUntil(async () => {
    const ready = await cluster.readyPods('service');
    if (ready.length !== replicas) return false;
    const reached = await nodesReached({ path: '/' }, 4 * replicas);
    return reached.size === new Set(ready.map((pod) => pod.node)).size;
  }, timeoutMs);
}

/** Runs `change` under steady load and requires that no request failed. */
async function underLoad(t: TestContext, change: () => Promise<void>): Promise<void> {
  const load = steadyLoad(baseUrl, mixedLoad(), { maxDurationMs: 300_000 });
  try {
    await sleep(1000);
    await change();
    await sleep(1000);
  } finally {
    const report = await load.stop();
    t.diagnostic(`${report.sent} requests, ${report.failed} failed, ${report.resent} resent`);
    if (report.failed > 0) t.diagnostic(`nginx:\n${await cluster.proxyNotes()}`);
    assert.equal(report.failed, 0, report.failures.join('\n'));
    assert.ok(report.sent > 20, `only ${report.sent} requests`);
  }
}

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  smallJpeg = await encode(pattern(64, 48), 'image/jpeg');
  cluster = new LocalKubernetes('k8stest', { HTTP_PORT: String(port) });
  const started = Date.now();
  await cluster.up(NODES, 'inline');
  await converged(REPLICAS, 180_000);
  console.log(`cluster of ${NODES} nodes up and serving from every replica in ${Date.now() - started} ms`);
});

after(async () => {
  await cluster?.down();
});

test('GET / and flips through nginx reach pods on both nodes', { timeout: 60_000 }, async () => {
  const flip = mixedLoad()[1]!;
  assert.equal((await nodesReached({ path: '/' }, 20)).size, NODES);
  assert.equal((await nodesReached(flip, 20)).size, NODES);
});

test('a pod deleted under load fails no request, and its Deployment replaces it', { timeout: 180_000 }, async (t) => {
  const [victim] = await cluster.readyPods('service');
  await underLoad(t, async () => {
    await cluster.kubectl('delete', 'pod', victim!.name, '--wait=true', '--timeout=120s');
    await converged(REPLICAS, 120_000);
  });
  assert.ok(!(await cluster.pods()).some((pod) => pod.name === victim!.name));
});

test(
  'kubectl drain of a node with pods keeps the PodDisruptionBudgets and fails no request',
  { timeout: 300_000 },
  async (t) => {
    const node = cluster.nodeName(2);
    const before = (await cluster.pods()).filter((pod) => pod.node === node && pod.component === 'service');
    assert.ok(before.length > 0, `no service pod on ${node} to drain`);
    // The budget (maxUnavailable 1) leaves at least one of the two Ready at every moment of the drain.
    let fewestReady = REPLICAS;
    let draining = true;
    const watcher = (async () => {
      while (draining) {
        fewestReady = Math.min(fewestReady, (await cluster.readyPods('service')).length);
        await sleep(500);
      }
    })();
    try {
      await underLoad(t, async () => {
        await cluster.kubectl('drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=240s');
        await converged(REPLICAS, 120_000);
      });
    } finally {
      draining = false;
      await watcher;
      await cluster.kubectl('uncordon', node);
    }
    t.diagnostic(`fewest Ready service pods during the drain: ${fewestReady}`);
    assert.ok(fewestReady >= REPLICAS - 1);
    assert.ok(!(await cluster.pods()).some((pod) => pod.node === node && pod.component === 'service'));
  },
);

test('a rolling update to a new image tag fails no request', { timeout: 300_000 }, async (t) => {
  await cluster.tagInNodes(NODES, 'flipstack-service:local', 'rollout');
  await underLoad(t, async () => {
    await cluster.kubectl('set', 'image', 'deployment/flipstack-service', 'flipstack=flipstack-service:rollout');
    await cluster.kubectl('rollout', 'status', 'deployment/flipstack-service', '--timeout=240s');
    await converged(REPLICAS, 120_000);
  });
  const running = (await cluster.pods()).filter((pod) => pod.component === 'service' && !pod.terminating);
  assert.deepEqual(new Set(running.map((pod) => pod.image)), new Set(['flipstack-service:rollout']));
});

test(
  'a node container killed under load fails no request, and its pods run elsewhere in bounded time',
  { timeout: 300_000 },
  async (t) => {
    // Never node1: its NodePort is this machine's way in, as a cloud load balancer's would be.
    const victim = cluster.nodeName(2);
    const lost = (await cluster.pods()).filter((pod) => pod.node === victim && pod.component === 'service');
    assert.ok(lost.length > 0, `no service pod on ${victim}: the rolling update left none there`);
    let killed = 0;
    await underLoad(t, async () => {
      killed = Date.now();
      await docker('kill', victim);
      // The node controller's grace period (50 s) and the pods' 30 s toleration of `unreachable`, then a start.
      await waitUntil(async () => {
        const ready = await cluster.readyPods('service');
        return ready.length === REPLICAS && ready.every((pod) => pod.node !== victim);
      }, 180_000);
    });
    const readiness = await cluster.nodeReadiness();
    t.diagnostic(
      `${victim} is ${readiness.get(victim)}; its pods ran elsewhere ${Date.now() - killed} ms after the kill`,
    );
    assert.notEqual(readiness.get(victim), 'True');
  },
);

test(
  'under /cpu load the HorizontalPodAutoscaler adds service pods, and removes them after',
  { timeout: 360_000 },
  async (t) => {
    // The shipped behaviour shrinks by one pod a minute after five quiet minutes; this cluster's HPA is told to
    // shrink at once, and to stop at 4 pods, so the test sees both ways within minutes. Growth is as shipped.
    await cluster.kubectl(
      'patch',
      'hpa',
      'flipstack-service',
      '--type',
      'merge',
      '--patch',
      JSON.stringify({
        spec: {
          maxReplicas: 4,
          behavior: {
            scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] },
          },
        },
      }),
    );
    const replicas = async () =>
      Number(await cluster.kubectl('get', 'hpa', 'flipstack-service', '-o', 'jsonpath={.status.currentReplicas}'));
    const load = steadyLoad(baseUrl, [{ path: '/cpu' }], { concurrency: 8, pauseMs: 0, maxDurationMs: 240_000 });
    const started = Date.now();
    let grown: number;
    try {
      await waitUntil(async () => (await replicas()) > REPLICAS, 200_000);
      grown = Date.now() - started;
    } finally {
      const report = await load.stop();
      assert.equal(report.failed, 0, report.failures.join('\n'));
    }
    const stopped = Date.now();
    await waitUntil(async () => (await replicas()) === REPLICAS, 150_000);
    t.diagnostic(
      `more than ${REPLICAS} pods ${grown} ms into the load; back to ${REPLICAS} ${Date.now() - stopped} ms after it`,
    );
  },
);

test("the nodes never changed this machine's kernel settings", () => {
  assert.deepEqual(hostSysctls(), sysctlsBefore);
});
