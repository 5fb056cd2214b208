// deploy/kubernetes/ rendered with kustomize and validated offline, strictly, against three Kubernetes versions
// (deploy/kubernetes/validate.py); a broken fixture proves the check fails; the stop timeouts nest as the
// README's table says. No cluster: nothing here runs a pod.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../service/src/config';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..');
const kustomize = join(repoRoot, '.cache', 'bin', 'kustomize');
const python = join(repoRoot, '.cache', 'k8s-validate', 'bin', 'python');
const validator = join(repoRoot, 'deploy', 'kubernetes', 'validate.py');
// The oldest and newest minors kubernetes-validate 1.37 ships schemas for that the manifests target, and one between.
const VERSIONS = ['1.30.0', '1.34.0', '1.37.0'];
const workDir = mkdtempSync(join(tmpdir(), 'flipstack-kubernetes-'));
// ecosystem.config.js's kill_timeout: how long PM2 waits for an instance's graceful stop (it reads the built
// service's config, as PM2 does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ecosystem = require('../ecosystem.config.js') as { apps: { kill_timeout: number }[] };
const PM2_KILL_TIMEOUT_S = ecosystem.apps[0]!.kill_timeout / 1000;
// nginx/flipstack/public.conf's proxy_read_timeout for a flip.
const NGINX_FLIP_READ_TIMEOUT_S = flipReadTimeoutS(readFileSync(join(repoRoot, 'nginx/flipstack/public.conf'), 'utf8'));

function flipReadTimeoutS(conf: string): number {
  const seconds = /location = \/flip \{[^}]*?proxy_read_timeout (\d+)s;/.exec(conf)?.[1];
  assert.ok(seconds, 'public.conf has no proxy_read_timeout in its location = /flip');
  return Number(seconds);
}

interface Container {
  image: string;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources: { limits: { cpu: string } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } };
}

after(() => rmSync(workDir, { recursive: true, force: true }));

async function render(dir: string): Promise<string> {
  const { stdout } = await run(kustomize, ['build', join(repoRoot, dir)], { maxBuffer: 16 * 1024 * 1024 });
  const file = join(workDir, `${dir.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, stdout);
  return file;
}

/** validate.py's exit code and what it printed. */
async function validate(file: string): Promise<{ code: number; output: string }> {
  const versions = VERSIONS.flatMap((version) => ['-k', version]);
  try {
    const { stdout } = await run(python, [validator, ...versions, file]);
    return { code: 0, output: stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

for (const overlay of ['inline', 'queue']) {
  test(`the ${overlay} example renders and is valid against Kubernetes ${VERSIONS.join(', ')}`, async () => {
    const { code, output } = await validate(await render(`deploy/kubernetes/overlays/${overlay}`));
    assert.equal(code, 0, output);
    assert.match(output, /documents valid/);
  });
}

test('the broken fixture fails, naming each mistake', async () => {
  const { code, output } = await validate(await render('test/fixtures/kubernetes/broken'));
  assert.equal(code, 1, output);
  assert.match(output, /Deployment\/flipstack-nginx \(Kubernetes 1\.30\.0\).*'replica' was unexpected/);
  assert.match(output, /ScaledObject\/flipstack-worker \(custom resource schema\).*'metdata' was unexpected/);
  assert.match(output, /Widget\/no-schema-anywhere .*Couldn't find schema/);
});

test('each pod is given time for its preStop sleep and its graceful stop, and whole CPUs for PM2', async () => {
  const { shutdownTimeoutMs, flip } = loadConfig({});
  assert.ok(shutdownTimeoutMs / 1000 < PM2_KILL_TIMEOUT_S && flip.timeoutMs / 1000 < NGINX_FLIP_READ_TIMEOUT_S);
  const rendered = await Promise.all(
    ['inline', 'queue'].map((overlay) =>
      run(kustomize, ['build', join(repoRoot, 'deploy/kubernetes/overlays', overlay)]),
    ),
  );
  const manifests = rendered
    .flatMap(({ stdout }) => parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest))
    .filter((m) => m.kind === 'Deployment');
  assert.deepEqual(manifests.map((m) => m.metadata.name).sort(), [
    'flipstack-api',
    'flipstack-nginx',
    'flipstack-nginx',
    'flipstack-service',
    'flipstack-worker',
  ]);
  for (const { metadata, spec } of manifests) {
    const pod = spec.template.spec;
    const [container] = pod.containers;
    const preStop = Number(container!.lifecycle!.preStop!.exec!.command[1]);
    const innerStop = metadata.name === 'flipstack-nginx' ? NGINX_FLIP_READ_TIMEOUT_S : PM2_KILL_TIMEOUT_S;
    assert.ok(preStop > 0, `${metadata.name}: preStop sleep`);
    assert.ok(pod.terminationGracePeriodSeconds > preStop + innerStop, `${metadata.name}: grace period`);
    if (metadata.name !== 'flipstack-nginx') {
      assert.match(container!.resources.limits.cpu, /^[1-9][0-9]*$/, `${metadata.name}: whole CPUs`);
    }
  }
});
