// docker-compose.yml under Compose v2 (`make test-compose-v2`), while every other suite runs whichever compose
// the machine has (v1.29 here): the `docker compose` plugin if it is v2, else the binary `make compose-v2`
// builds. Each profile combination the README documents renders without a warning, with its profile's services
// (v1's `config` ignores profiles: nothing of v1's to compare with). The inline stack and the queue profile run,
// flip and scale as documented, each under a project name of its own on a free 127.0.0.1 port, torn down with
// its volumes afterwards.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { decode, difference, encode, flipExpected, pattern } from '../testkit/images';
import { bmpImage } from '../testkit/bmp-image';
import { COMPOSE_V2_OR_LATER, ComposeStack, composeV2Command, docker } from '../testkit/compose';
import { freePort } from '../testkit/free-port';
import { waitForHttp } from '../testkit/wait-for-http';

const QUEUE_ENV_FILE = ['--env-file', 'deploy/queue.env'];

let v2: string[];

before(async () => {
  v2 = await composeV2Command();
  assert.ok(v2[0] === 'docker' || existsSync(v2[0]!), `${v2[0]} is missing: run \`make compose-v2\``);
  const version = await new ComposeStack('v2-version', {}, v2).compose('version', '--short');
  assert.match(version, COMPOSE_V2_OR_LATER, `not Compose v2: ${version}`);
});

async function flipsThroughNginx(baseUrl: string): Promise<void> {
  const source = pattern(37, 23);
  const response = await fetch(`${baseUrl}/flip`, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: await encode(source, 'image/png'),
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.ok(response.headers.get('x-served-by'), 'answered by a replica');
  const flipped = await decode(Buffer.from(await response.arrayBuffer()));
  assert.equal(difference(flipped, flipExpected(source, 'vertical')).max, 0);
}

/**
 * The enclosing suite's v2 stack, with nginx on a free 127.0.0.1 port, created before the suite's own hooks run
 * and torn down with its volumes after its tests, whatever happened.
 */
function stackOfSuite(topic: string, options: string[] = []): { stack: ComposeStack; baseUrl: string } {
  const suite = {} as { stack: ComposeStack; baseUrl: string };
  before(async () => {
    const port = await freePort();
    suite.baseUrl = `http://127.0.0.1:${port}`;
    suite.stack = new ComposeStack(topic, { HTTP_BIND: '127.0.0.1', HTTP_PORT: String(port) }, [...v2, ...options]);
  });
  after(async () => {
    await suite.stack?.down();
  });
  return suite;
}

describe('config: every documented profile combination', () => {
  const combinations = [
    { name: 'inline (no profile)', env: {}, options: [], services: ['nginx', 'service'], upstream: 'service' },
    {
      name: 'queue (--env-file deploy/queue.env)',
      env: {},
      options: QUEUE_ENV_FILE,
      services: ['api', 'nginx', 'redis', 'service', 'worker'],
      upstream: 'api',
    },
    {
      name: 'monitoring (COMPOSE_PROFILES=monitoring)',
      env: { COMPOSE_PROFILES: 'monitoring' },
      options: [],
      services: ['nginx', 'nginx-exporter', 'prometheus', 'service'],
      upstream: 'service',
    },
    {
      name: 'queue and monitoring (make up MODE=queue MONITORING=1)',
      env: { COMPOSE_PROFILES: 'monitoring,queue', UPSTREAM_HOST: 'api' },
      options: [],
      services: ['api', 'nginx', 'nginx-exporter', 'prometheus', 'redis', 'service', 'worker'],
      upstream: 'api',
    },
  ];
  for (const { name, env, options, services, upstream } of combinations) {
    test(`${name}: no warning, the profile's services, nginx balancing ${upstream}`, async () => {
      const { stdout, stderr } = await new ComposeStack('v2-config', env, [...v2, ...options]).composeOutput('config');
      assert.equal(stderr, '', `Compose v2 warned: ${stderr}`);
      const config = parse(stdout) as { services: Record<string, { environment: Record<string, string> }> };
      assert.deepEqual(Object.keys(config.services).sort(), services);
      assert.equal(config.services.nginx!.environment.UPSTREAM_HOST, upstream);
    });
  }
});

describe('the inline stack: build, 2 replicas behind nginx', () => {
  const suite = stackOfSuite('v2-inline');

  before(async () => {
    await suite.stack.compose('build');
    await suite.stack.up(2);
    await suite.stack.waitForHealthy(2);
    // `up` returns once nginx's container has started, which can be before nginx listens.
    await waitForHttp(`${suite.baseUrl}/`, 30_000);
  });

  test('GET / reaches both replicas and a PNG comes back flipped', async () => {
    const replicas = (await suite.stack.inspect(await suite.stack.containerIds('service'))).map((s) => s.hostname);
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < replicas.length; i++) {
      const response = await fetch(`${suite.baseUrl}/`);
      assert.equal(response.status, 200);
      seen.add(response.headers.get('x-served-by')!.split('/')[0]!);
    }
    assert.deepEqual([...seen].sort(), replicas.sort());
    await flipsThroughNginx(suite.baseUrl);
  });

  test("the replicas get the compose file's limits: 1 CPU, 2 GiB, read-only root, init, its health schedule", async () => {
    const format =
      '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Init}} {{.Config.Healthcheck.Interval}}';
    const ids = await suite.stack.containerIds('service');
    const settings = (await docker('inspect', '--format', format, ...ids)).split('\n');
    assert.deepEqual(
      settings,
      ids.map(() => `${1e9} ${2 * 1024 ** 3} true true ${5e9}`),
    );
  });
});

describe('the queue profile: --env-file deploy/queue.env, api, Redis, workers', () => {
  // Torn down with Redis's named volume.
  const suite = stackOfSuite('v2-queue', QUEUE_ENV_FILE);

  before(async () => {
    await suite.stack.compose('up', '--detach', '--scale', 'service=0', '--scale', 'api=1', '--scale', 'worker=1');
    await suite.stack.waitForHealthy(1, 120_000, 'api');
    await suite.stack.waitForHealthy(1, 120_000, 'worker');
    await waitForHttp(`${suite.baseUrl}/readyz`, 30_000);
  });

  test('a flip goes through nginx, the api and Redis to the worker', async () => {
    assert.deepEqual(await suite.stack.containerIds('service'), []);
    await flipsThroughNginx(suite.baseUrl);
  });

  test('--scale worker=2 adds a worker that takes jobs, leaving the api and the first worker running', async () => {
    const [api] = await suite.stack.containerIds('api');
    const [first] = await suite.stack.containerIds('worker');
    // The README's command for more workers in the running stack.
    await suite.stack.compose('up', '--detach', '--no-deps', '--scale', 'worker=2', 'worker');
    const workers = await suite.stack.waitForHealthy(2, 120_000, 'worker');
    assert.deepEqual(await suite.stack.containerIds('api'), [api]);
    const added = workers.find((w) => w.id !== first);
    assert.ok(added && workers.some((w) => w.id === first), 'the first worker was replaced');
    // One job at a time per worker process: concurrent flips keep both workers busy.
    const slow = bmpImage(1000, 1000);
    const statuses = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const response = await fetch(`${suite.baseUrl}/flip`, {
          method: 'POST',
          headers: { 'content-type': 'image/bmp' },
          body: slow,
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    assert.match(await docker('logs', added.id), /"flip job started"/);
  });
});
