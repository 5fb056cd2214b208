// The compose `monitoring` profile for real: the stack with 2 replicas of 2 PM2 workers each, Prometheus (the
// official image or its Debian stand-in) and the nginx exporter, on free 127.0.0.1 ports under a unique project
// name, torn down afterwards. Prometheus scrapes every 5 s, so each check polls for a few scrapes at most.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ComposeStack, docker } from '../testkit/compose';
import { freePort } from '../testkit/free-port';
import { rootRequests, sample } from '../testkit/metrics-text';
import { activeTargets, eventually, queryValue } from './support/prometheus';
import { steadyLoad } from './support/steady-load';

const WORKERS_PER_REPLICA = 2;
const SCRAPES_MS = 30_000;

let stack: ComposeStack;
let baseUrl: string;
let prometheusUrl: string;

async function serviceTargetsUp(replicas: number): Promise<string | true> {
  const targets = (await activeTargets(prometheusUrl)).filter((t) => t.labels.job === 'service');
  const up = targets.filter((t) => t.health === 'up');
  return up.length === replicas && targets.length === replicas
    ? true
    : `service targets: ${JSON.stringify(targets.map((t) => [t.labels.instance, t.health, t.lastError]))}`;
}

before(async () => {
  const [httpPort, prometheusPort] = [await freePort(), await freePort()];
  baseUrl = `http://127.0.0.1:${httpPort}`;
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  stack = new ComposeStack('monitoring', {
    HTTP_BIND: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    PROMETHEUS_PORT: String(prometheusPort),
    COMPOSE_PROFILES: 'monitoring',
    WEB_CONCURRENCY: String(WORKERS_PER_REPLICA),
  });
  await stack.compose('build');
  await stack.up(2);
  await stack.waitForHealthy(2);
});

after(async () => {
  await stack?.down();
});

test('Prometheus finds both replicas and nginx by DNS, and a third after --scale service=3', async () => {
  await eventually('2 service targets up', () => serviceTargetsUp(2), SCRAPES_MS);
  await eventually(
    'nginx up',
    async () => ((await queryValue(prometheusUrl, 'nginx_up')) === 1 ? true : 'nginx_up is not 1'),
    SCRAPES_MS,
  );
  await stack.up(3);
  await stack.waitForHealthy(3);
  await eventually('3 service targets up', () => serviceTargetsUp(3), SCRAPES_MS);
});

test('after load, Prometheus counts the requests the load generator sent', async () => {
  const total = `sum(${rootRequests.replace('_count{', '_count{job="service",')})`;
  await eventually('every replica scraped', () => serviceTargetsUp(3), SCRAPES_MS);
  const before = (await queryValue(prometheusUrl, total)) || 0;
  const load = steadyLoad(baseUrl, [{ path: '/' }], { concurrency: 4, pauseMs: 5, maxRequests: 600 });
  await eventually('600 requests sent', async () => (load.report.sent >= 600 ? true : `${load.report.sent}`), 60_000);
  const report = await load.stop();
  assert.equal(report.failed, 0, report.failures.join('\n'));
  // Counted by the replicas, aggregated over their workers, scraped and summed by Prometheus.
  await eventually(
    `Prometheus's count of GET / to grow by ${report.sent}`,
    async () => {
      const counted = (await queryValue(prometheusUrl, total)) - before;
      return Math.abs(counted - report.sent) <= report.sent * 0.01 ? true : `counted ${counted}`;
    },
    SCRAPES_MS,
  );
  // The recording rule over it, live: about sent/60 per second while the burst is inside its 1m window
  // (rate() extrapolates to the window's edges, hence the margin). It stayed 0 while every route's series was
  // born at its first request (request-observer.ts countRoutesFromZero).
  const perSecond = report.sent / 60;
  await eventually(
    `route:http_requests:rate1m{route="/"} near ${perSecond.toFixed(1)}/s`,
    async () => {
      const rate = await queryValue(prometheusUrl, 'route:http_requests:rate1m{route="/"}');
      return rate >= perSecond * 0.5 && rate <= perSecond * 1.5 ? true : `rate ${rate}`;
    },
    SCRAPES_MS,
  );
});

test("a replica's /metrics total equals the sum over its workers", async () => {
  const [id] = await stack.containerIds('service');
  // Inside the replica: the replica's /metrics, then each worker's own registry on its loopback peer port.
  const script = `
    const series = ${JSON.stringify(rootRequests)};
    (async () => {
      const replica = await (await fetch('http://127.0.0.1:3000/metrics')).text();
      const workers = [];
      for (let i = 0; i < ${WORKERS_PER_REPLICA}; i++) {
        const json = await (await fetch('http://127.0.0.1:' + (9400 + i) + '/')).json();
        const metric = json.find((m) => m.name === 'http_request_duration_seconds');
        const value = metric.values.find((v) => v.metricName === 'http_request_duration_seconds_count'
          && v.labels.route === '/' && v.labels.method === 'GET' && String(v.labels.status) === '200');
        workers.push(value ? value.value : 0);
      }
      console.log(JSON.stringify({ replica, workers }));
    })();`;
  const { replica, workers } = JSON.parse(await docker('exec', id!, 'node', '-e', script)) as {
    replica: string;
    workers: number[];
  };
  assert.equal(workers.length, WORKERS_PER_REPLICA);
  assert.ok(workers[0]! + workers[1]! > 0, 'the replica served some of the load');
  assert.equal(sample(replica, rootRequests), workers[0]! + workers[1]!);
  assert.equal(sample(replica, 'metrics_instances_answered'), WORKERS_PER_REPLICA);
});
