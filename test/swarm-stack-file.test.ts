// deploy/swarm/stack-file.ts against the real docker-compose.yml, checked by the Docker CLI's own Compose 3.x
// loader (`docker stack config`, no swarm needed) together with deploy/swarm/stack.yml.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { stackFile } from '../deploy/swarm/stack-file';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..');
const workDir = mkdtempSync(join(tmpdir(), 'flipstack-stack-file-'));

interface StackService {
  deploy: { endpoint_mode?: string; resources?: { limits?: Record<string, string> } };
  ports?: Array<{ mode: string; published: number; target: number }>;
  volumes?: Array<{ type: string; target: string }>;
  image: string;
  environment?: Record<string, string>;
}

after(() => rmSync(workDir, { recursive: true, force: true }));

/** What `docker stack deploy` would deploy: both files merged and interpolated by the Docker CLI. */
async function stackConfig(composeYaml: string, env: Record<string, string>) {
  const file = join(workDir, 'compose.yml');
  writeFileSync(file, composeYaml);
  const stackYml = join(repoRoot, 'deploy', 'swarm', 'stack.yml');
  const { stdout } = await run('docker', ['stack', 'config', '-c', file, '-c', stackYml], {
    env: { ...process.env, ...env },
  });
  return parse(stdout) as { services: Record<string, StackService> };
}

test('docker-compose.yml + stack.yml load as a stack: dnsrr everywhere, host-mode nginx, same limits', async () => {
  const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
  const { services } = await stackConfig(stackFile(compose, []), {
    REGISTRY: 'registry.test:5000',
    IMAGE_TAG: 'v1',
    SERVICE_CPUS: '2',
    SERVICE_MEM_LIMIT: '3g',
    HTTP_PORT: '8080',
  });
  assert.deepEqual(Object.keys(services).sort(), ['nginx', 'service']);
  for (const service of Object.values(services)) assert.equal(service.deploy.endpoint_mode, 'dnsrr');
  assert.equal(services.service!.image, 'registry.test:5000/flipstack-service:v1');
  assert.deepEqual(services.service!.deploy.resources!.limits, { cpus: '2', memory: '3221225472' });
  assert.deepEqual(services.service!.volumes!.map((v) => `${v.type}:${v.target}`).sort(), [
    'tmpfs:/home/node/.pm2',
    'tmpfs:/tmp',
  ]);
  assert.deepEqual(services.nginx!.ports, [{ mode: 'host', target: 80, published: 8080 }]);
  assert.equal(services.nginx!.environment!.UPSTREAM_HOST, 'tasks.service');
});

test('a service of a profile is deployed only when its profile is named; merge keys are resolved', () => {
  const compose = [
    'x-common: &common',
    '  image: a',
    '  cpus: 1',
    'services:',
    '  web:',
    '    <<: *common',
    '  worker:',
    '    <<: *common',
    '    profiles: [queue]',
    '',
  ].join('\n');
  const names = (profiles: string[]) => Object.keys(parse(stackFile(compose, profiles)).services);
  assert.deepEqual(names([]), ['web']);
  assert.deepEqual(names(['queue']), ['web', 'worker']);
  const { worker } = parse(stackFile(compose, ['queue'])).services;
  assert.deepEqual(worker, { image: 'a', deploy: { resources: { limits: { cpus: '1' } } } });
});
