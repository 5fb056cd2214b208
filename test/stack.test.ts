// The container stack for real: `docker compose` builds the images, starts 3 replicas behind nginx on a free
// 127.0.0.1 port under a project name unique to this run, and tears everything down afterwards.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { slowSmallPng } from '../testkit/flip-jobs';
import { decode, difference, encode, flipExpected, pattern, pngHeaderOnly } from '../testkit/images';
import { freePort } from '../testkit/free-port';
import { ComposeStack, docker } from '../testkit/compose';
import { steadyLoad, type LoadReport, type LoadRequest, type SteadyLoad } from './support/steady-load';
import { waitUntil } from '../testkit/wait-until';

// docker-compose.yml's promise for `up --scale` on a running stack (issue 4): new replicas serve within 10 s.
const DISCOVERY_BOUND_MS = 10_000;
const NGINX_BODY_LIMIT = 25 * 1024 * 1024;

let stack: ComposeStack;
let baseUrl: string;
let smallJpeg: Buffer;

const flipRequest = (body: Buffer, type: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': type },
  body,
});
const servedBy = (response: Response) => response.headers.get('x-served-by')?.split('/')[0];

async function hostnamesOfReplicas(): Promise<string[]> {
  return (await stack.inspect(await stack.containerIds('service'))).map((s) => s.hostname);
}

/** GET / until every listed replica has answered; bounded in count. */
async function reachedReplicas(count: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${baseUrl}/`);
    assert.equal(response.status, 200, await response.text());
    seen.add(servedBy(response)!);
  }
  return seen;
}

function mixedLoad(): LoadRequest[] {
  return [{ path: '/' }, { path: '/flip', init: flipRequest(smallJpeg, 'image/jpeg') }];
}

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  stack = new ComposeStack('stack', { HTTP_BIND: '127.0.0.1', HTTP_PORT: String(port) });
  smallJpeg = await encode(pattern(64, 48), 'image/jpeg');
  await stack.compose('build');
  await stack.up(3);
  await stack.waitForHealthy(3);
});

after(async () => {
  await stack?.down();
});

test('30 GET / through nginx reach all 3 replicas', async () => {
  const seen = await reachedReplicas(30);
  assert.deepEqual([...seen].sort(), (await hostnamesOfReplicas()).sort());
});

test('a small JPEG and PNG posted to /flip through nginx come back flipped', async () => {
  const source = pattern(37, 23);
  for (const type of ['image/jpeg', 'image/png'] as const) {
    const response = await fetch(`${baseUrl}/flip`, flipRequest(await encode(source, type), type));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), type);
    const flipped = await decode(Buffer.from(await response.arrayBuffer()));
    const { max, mean } = difference(flipped, flipExpected(source, 'vertical'));
    if (type === 'image/png') assert.equal(max, 0);
    else assert.ok(mean < 4, `JPEG mean difference ${mean}`);
  }
});

test('bad inputs get the service JSON 4xx with the request id nginx passed on', async () => {
  const cases = [
    { body: Buffer.from('not an image'), type: 'text/plain', status: 415, code: 'unsupported_media_type' },
    { body: smallJpeg.subarray(0, smallJpeg.length / 2), type: 'image/jpeg', status: 400, code: 'invalid_image' },
    { body: pngHeaderOnly(100_000, 100_000), type: 'image/png', status: 422, code: 'too_many_pixels' },
  ];
  for (const [n, { body, type, status, code }] of cases.entries()) {
    const requestId = `stack-test-${n}`;
    const response = await fetch(`${baseUrl}/flip`, {
      method: 'POST',
      headers: { 'content-type': type, 'x-request-id': requestId },
      body,
    });
    assert.equal(response.status, status);
    assert.ok(servedBy(response), 'answered by a replica');
    const answer = (await response.json()) as { error: { code: string; message: string }; requestId: string };
    assert.equal(answer.error.code, code);
    assert.equal(answer.requestId, requestId);
  }
});

test('the service sees the client address nginx saw (X-Forwarded-For) and its request id', async () => {
  const requestId = 'stack-test-forwarded';
  const response = await fetch(`${baseUrl}/`, { headers: { 'x-request-id': requestId } });
  assert.equal(response.status, 200);
  const replica = (await stack.inspect(await stack.containerIds('service'))).find(
    (s) => s.hostname === servedBy(response),
  );
  const [nginx] = await stack.containerIds('nginx');
  const logged = async (id: string) => (await jsonLog(id)).find((entry) => entry.requestId === requestId);
  let seenByNginx: string | undefined;
  let seenByService: string | undefined;
  await waitUntil(async () => {
    seenByNginx = (await logged(nginx!))?.client as string | undefined;
    seenByService = (await logged(replica!.id))?.ip as string | undefined;
    return seenByNginx !== undefined && seenByService !== undefined;
  }, 10_000);
  assert.equal(seenByService, seenByNginx);
});

test('a body over 25 MiB gets the JSON 413 of nginx itself without reaching a replica', async () => {
  const response = await fetch(`${baseUrl}/flip`, {
    method: 'POST',
    headers: { 'content-type': 'image/bmp', 'x-request-id': 'stack-test-too-large' },
    body: Buffer.alloc(NGINX_BODY_LIMIT + 1),
  });
  assert.equal(response.status, 413);
  assert.equal(servedBy(response), undefined);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await response.json(), {
    error: { code: 'payload_too_large', message: 'Request body is larger than 25 MiB' },
    requestId: 'stack-test-too-large',
  });
});

test('containers run as non-root on a read-only root fs, and only nginx publishes a port', async () => {
  const services = await stack.containerIds('service');
  const [nginx] = await stack.containerIds('nginx');
  for (const id of services) {
    assert.equal(await docker('exec', id, 'id', '-u'), '1000');
    await assert.rejects(docker('exec', id, 'touch', '/app/written'), /Read-only file system/);
  }
  for (const id of [...services, nginx!]) {
    assert.equal(await docker('inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', id), 'true');
  }
  const published = async (id: string) =>
    JSON.parse(await docker('inspect', '--format', '{{json .NetworkSettings.Ports}}', id)) as Record<
      string,
      unknown[] | null
    >;
  for (const id of services) {
    assert.ok(
      Object.values(await published(id)).every((bindings) => !bindings?.length),
      `replica ${id} publishes a port`,
    );
  }
  const nginxPorts = await published(nginx!);
  assert.deepEqual(
    Object.keys(nginxPorts).filter((port) => nginxPorts[port]?.length),
    ['80/tcp'],
  );
});

test('under steady load, scaling 3 -> 5 -> 2 fails no request and new replicas serve within 10 s', async (t) => {
  await underSteadyLoad(t, async (load) => {
    const before = new Set(await hostnamesOfReplicas());
    await stack.up(5);
    const added = (await stack.inspect(await stack.containerIds('service'))).filter((s) => !before.has(s.hostname));
    assert.equal(added.length, 2);
    await waitUntil(() => added.every((s) => load.report.firstSeen.has(s.hostname)), 60_000);
    // Discovery is measured from the moment a replica listens: how long its boot takes depends on the host's
    // load, which is not what upstream-watch promises.
    for (const { id, hostname, startedAt } of added) {
      const listening = await listeningAt(id);
      const delay = load.report.firstSeen.get(hostname)! - listening;
      t.diagnostic(
        `new replica ${hostname}: listening ${listening - startedAt} ms after start, served ${delay} ms later`,
      );
      assert.ok(delay <= DISCOVERY_BOUND_MS, `replica ${hostname} first served ${delay} ms after it listened`);
    }
    await stack.up(2);
    const remaining = await hostnamesOfReplicas();
    const answersAfterScaleDown = new Map(
      remaining.map((hostname) => [hostname, load.report.answers.get(hostname) ?? 0]),
    );
    await sleep(5_000);
    for (const hostname of remaining) {
      assert.ok(load.report.answers.get(hostname)! > answersAfterScaleDown.get(hostname)!, `${hostname} still serves`);
    }
  });
  await stack.up(3);
  await stack.waitForHealthy(3);
});

test('a killed replica fails no request, and compose brings it back', async (t) => {
  const [victim] = await stack.inspect([(await stack.containerIds('service'))[0]!]);
  await underSteadyLoad(t, async () => {
    await sleep(2_000);
    await docker('kill', victim!.id);
    await sleep(8_000);
  });
  // `docker kill` is an operator's stop, which restart policies respect; compose's `up` converges back to 3.
  await stack.up(3);
  await stack.waitForHealthy(3);
  await waitUntil(async () => (await reachedReplicas(12)).has(victim!.hostname), 60_000);
});

test('a replica whose process dies is restarted by the restart policy', async () => {
  const [victim] = await stack.inspect([(await stack.containerIds('service'))[0]!]);
  // SIGKILL to the container's init from the host: a crash, not an operator's stop.
  process.kill(victim!.pid, 'SIGKILL');
  await waitUntil(async () => {
    const [now] = await stack.inspect([victim!.id]);
    return now!.restartCount > victim!.restartCount && now!.health === 'healthy';
  }, 60_000);
});

test('`compose stop` during a flip lets the flip finish', async (t) => {
  // Small on the wire, seconds of work for Jimp: long enough for the in-flight probe below, which asks each
  // replica through `docker exec`.
  const slowImage = await slowSmallPng();
  const flip = fetch(`${baseUrl}/flip`, flipRequest(slowImage, 'image/png')).then(async (response) => ({
    status: response.status,
    type: response.headers.get('content-type'),
    bytes: (await response.arrayBuffer()).byteLength,
    at: Date.now(),
  }));
  await waitUntil(aReplicaIsFlipping, 30_000);
  const stopStartedAt = Date.now();
  const stopped = stack.compose('stop');
  const result = await flip;
  await stopped;
  t.diagnostic(`the flip answered ${result.at - stopStartedAt} ms after the stop began`);
  assert.ok(result.at > stopStartedAt, 'the flip was still running when the stop began');
  assert.equal(result.status, 200);
  assert.equal(result.type, 'image/png');
  assert.ok(result.bytes > 0);
});

/** The JSON lines a container wrote to stdout: pino's logs from a replica, the access log from nginx. */
async function jsonLog(containerId: string): Promise<Array<Record<string, unknown>>> {
  const lines = (await docker('logs', containerId)).split('\n').filter((line) => line.startsWith('{'));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** When the replica's first service process logged that it listens (pino's `time`, the host's clock). */
async function listeningAt(containerId: string): Promise<number> {
  const entry = (await jsonLog(containerId)).find((e) => e.msg === 'listening');
  assert.ok(typeof entry?.time === 'string', `replica ${containerId} never logged "listening"`);
  return Date.parse(entry.time);
}

/** Whether some replica reports a flip job running, asked through its own /metrics from inside it. */
async function aReplicaIsFlipping(): Promise<boolean> {
  const ask = "fetch('http://127.0.0.1:3000/metrics').then((r) => r.text()).then((text) => process.stdout.write(text))";
  const metrics = await Promise.all(
    (await stack.containerIds('service')).map((id) => docker('exec', id, 'node', '-e', ask)),
  );
  return metrics.some((text) => /^flips_in_flight [1-9]/m.test(text));
}

/** Runs the steps under a steady mix of GET / and small flips, then asserts that no request failed. */
async function underSteadyLoad(t: TestContext, steps: (load: SteadyLoad) => Promise<void>): Promise<void> {
  const load = steadyLoad(baseUrl, mixedLoad());
  let report: LoadReport;
  try {
    await steps(load);
  } finally {
    report = await load.stop();
  }
  t.diagnostic(
    `load: ${report.sent} requests, ${report.failed} failed, ${report.resent} resent after a keep-alive close`,
  );
  await assertNoFailures(report);
}

async function assertNoFailures(report: LoadReport): Promise<void> {
  if (report.failed > 0) {
    // nginx's error log and upstream-watch's changes tell which replica failed and when.
    const logs = await stack.compose('logs', '--no-color', 'nginx');
    const notes = logs.split('\n').filter((line) => !line.includes('"requestId"'));
    assert.fail(
      `${report.failed} of ${report.sent} failed: ${report.failures.join('; ')}\n${notes.slice(-40).join('\n')}`,
    );
  }
  assert.ok(report.sent >= 50, `only ${report.sent} requests sent: the load did not run`);
}
