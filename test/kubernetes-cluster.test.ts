// The shipped manifests on a real Kubernetes cluster of 2 nodes (deploy/kubernetes/local/up.sh: real kubelets in
// node containers on this machine), applied through the local overlay, under a prefix unique to this run, torn
// down afterwards whatever happened: inline mode first, then queue mode in its place (one cluster, started once).
// Each test changes the cluster under steady load through nginx and requires that no request fails; the host's
// kernel settings are the same at the end.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertSlowSmallPngReply, slowSmallPng } from '../testkit/flip-jobs';
import { encode, pattern } from '../testkit/images';
import { jobView, submitJob, untilFinished } from '../testkit/jobs-client';
import { docker } from '../testkit/compose';
import { freePort } from '../testkit/free-port';
import { hostSysctls } from './support/host-sysctls';
import { LocalKubernetes } from './support/kubernetes-cluster';
import { fetchResendingOnClose, steadyLoad, type LoadRequest } from './support/steady-load';
import { waitUntil } from '../testkit/wait-until';

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

/** Until `component` (service, api) has `replicas` Ready pods and nginx reaches the nodes they run on. */
async function converged(replicas: number, timeoutMs: number, component = 'service'): Promise<void> {
  await waitUntil(async () => {
    const ready = await cluster.readyPods(component);
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

test(
  'queue mode applied in place of inline: flips pass through api, Redis and workers on both nodes',
  { timeout: 300_000 },
  async () => {
    await cluster.apply('queue');
    await converged(REPLICAS, 240_000, 'api');
    await waitUntil(async () => {
      const workers = await cluster.readyPods('worker');
      return new Set(workers.map((pod) => pod.node)).size === NODES && (await cluster.readyPods('redis')).length === 1;
    }, 120_000);
    assert.equal((await nodesReached(mixedLoad()[1]!, 20)).size, NODES);
  },
);

/** Submits flip jobs until stopped; tallies the answers ("202", "503 queue_unavailable") and keeps the ids. */
function jobSubmitter(image: Buffer) {
  const accepted: string[] = [];
  const answers = new Map<string, number>();
  let submitting = true;
  const done = (async () => {
    while (submitting) {
      // A network error (no answer at all) ends the loop and fails the test.
      const { response, json } = await submitJob(baseUrl, image, 'image/png');
      if (response.status === 202) accepted.push(json.id!);
      const key = `${response.status} ${json.error?.code ?? ''}`.trim();
      answers.set(key, (answers.get(key) ?? 0) + 1);
      await sleep(50);
    }
  })();
  return {
    accepted,
    answers,
    async stop() {
      submitting = false;
      await done;
    },
  };
}

/** Every accepted job completed: none was lost. */
async function assertAllCompleted(ids: string[]): Promise<void> {
  const statuses = new Map<string, number>();
  for (const id of ids) {
    const { status } = await untilFinished(baseUrl, id);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  assert.deepEqual([...statuses], [['completed', ids.length]]);
}

test('a Redis pod deleted under load: only JSON 503s, no accepted job lost', { timeout: 240_000 }, async (t) => {
  const submitter = jobSubmitter(await encode(pattern(300, 200), 'image/png'));
  try {
    await sleep(2000);
    const [redis] = await cluster.readyPods('redis');
    await cluster.kubectl('delete', 'pod', redis!.name, '--wait=true', '--timeout=60s');
    await waitUntil(async () => (await cluster.readyPods('redis')).length === 1, 120_000);
    await waitUntil(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 60_000);
    await sleep(2000);
  } finally {
    await submitter.stop();
  }
  const { accepted, answers } = submitter;
  t.diagnostic(`accepted ${accepted.length} jobs; answers: ${JSON.stringify([...answers])}`);
  assert.deepEqual(
    [...answers.keys()].filter((key) => key !== '202'),
    ['503 queue_unavailable'],
  );
  assert.ok(accepted.length > 20, `only ${accepted.length} jobs accepted`);
  await assertAllCompleted(accepted);
});

test(
  'Redis away longer than the readiness window: api pods stay Ready, clients get the JSON 503',
  { timeout: 240_000 },
  async (t) => {
    const answers = new Map<string, number>();
    let fewestReadyApis = REPLICAS;
    await cluster.kubectl('scale', 'statefulset', 'flipstack-redis', '--replicas=0');
    try {
      await waitUntil(async () => (await cluster.pods()).every((pod) => pod.component !== 'redis'), 60_000);
      // Three periods of the readiness probe (5 s): an api Ready only with Redis would leave the Service.
      for (const until = Date.now() + 15_000; Date.now() < until; await sleep(500)) {
        const response = await fetch(`${baseUrl}/flip`, mixedLoad()[1]!.init);
        const json = (await response.json()) as { error?: { code?: string } };
        const key = `${response.status} ${json.error?.code} Retry-After ${response.headers.get('retry-after')}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        fewestReadyApis = Math.min(fewestReadyApis, (await cluster.readyPods('api')).length);
      }
    } finally {
      await cluster.kubectl('scale', 'statefulset', 'flipstack-redis', '--replicas=1');
    }
    t.diagnostic(`while Redis was away: ${JSON.stringify([...answers])}; fewest Ready api pods ${fewestReadyApis}`);
    assert.deepEqual([...answers.keys()], ['503 queue_unavailable Retry-After 1']);
    assert.equal(fewestReadyApis, REPLICAS);
    await waitUntil(async () => (await fetch(`${baseUrl}/readyz`)).status === 200, 120_000);
  },
);

test(
  "a node container killed under load: no request fails, its pods run elsewhere, its worker's job completes",
  { timeout: 300_000 },
  async (t) => {
    // Never node1: its NodePort is this machine's way in, and Redis's volume is there.
    const victim = cluster.nodeName(2);
    const lost = (await cluster.pods()).filter(
      (pod) => pod.node === victim && ['api', 'worker'].includes(pod.component),
    );
    assert.ok(lost.length > 0, `no api or worker pod on ${victim}`);
    const image = await slowSmallPng();
    // Two slow jobs at once: each of the two workers (one job at a time) takes one.
    const ids = await Promise.all(
      [1, 2].map(async () => {
        const { response, json } = await submitJob(baseUrl, image, 'image/png');
        assert.equal(response.status, 202, JSON.stringify(json));
        return json.id!;
      }),
    );
    await waitUntil(async () => {
      const views = await Promise.all(ids.map((id) => jobView(baseUrl, id)));
      return views.every((view) => view.status === 'active');
    }, 60_000);
    let killed = 0;
    let finishing: Promise<Awaited<ReturnType<typeof untilFinished>>[]> | undefined;
    await underLoad(t, async () => {
      killed = Date.now();
      await docker('kill', victim);
      // Followed from the kill on: the load's own flips are jobs too, and only the last 1000 finished ones are
      // kept (JOB_KEEP_FINISHED). Each result is read as soon as its job is done.
      finishing = Promise.all(
        ids.map(async (id) => {
          const view = await untilFinished(baseUrl, id, 180_000);
          assert.equal(view.status, 'completed', JSON.stringify(view.error));
          await assertSlowSmallPngReply(await fetch(`${baseUrl}/jobs/${id}/result`));
          return view;
        }),
      );
      // Awaited after the load; marked handled now, so a failure meanwhile is reported there, once.
      finishing.catch(() => undefined);
      // The node controller's grace period (50 s) and the pods' 30 s toleration of `unreachable`, then a start.
      await waitUntil(async () => {
        const pods = (await cluster.pods()).filter((pod) => pod.ready && !pod.terminating && pod.node !== victim);
        const count = (component: string) => pods.filter((pod) => pod.component === component).length;
        return count('api') === REPLICAS && count('worker') === 2;
      }, 180_000);
    });
    t.diagnostic(`api and worker pods all Ready on other nodes ${Date.now() - killed} ms after the kill`);

    const views = await finishing!;
    const nodeOf = new Map((await cluster.pods()).map((pod) => [pod.name, pod.node]));
    for (const view of views) assert.notEqual(nodeOf.get(view.worker!.split('/')[0]!), victim);
    // The killed node's job was found stalled (its lock lapsed) and ran again on a surviving worker.
    const finishers = [...new Set(views.map((view) => view.worker!.split('/')[0]!))];
    const logs = (await Promise.all(finishers.map((pod) => cluster.kubectl('logs', pod)))).join('\n');
    const rerun = logs.split('\n').find((line) => /"stalled":1/.test(line) && ids.some((id) => line.includes(id)));
    assert.ok(rerun, `no job of ${ids.join(', ')} ran a second time on ${finishers.join(', ')}`);
    assert.notEqual((await cluster.nodeReadiness()).get(victim), 'True');
  },
);

test("the nodes never changed this machine's kernel settings", () => {
  assert.deepEqual(hostSysctls(), sysctlsBefore);
});
