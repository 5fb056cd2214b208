// scripts/check-docs.ts against a small repository that passes it, then against copies broken one way each:
// every kind of rot must be reported, naming the page (and line), and nothing else.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { checkDocs, configVariables, headingAnchors } from '../scripts/check-docs';

const workDir = mkdtempSync(join(tmpdir(), 'flipstack-docs-check-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const SOUND: Record<string, string> = {
  'README.md': [
    '# demo',
    '',
    'See [the API](docs/api.md#errors-and-retry-after), [settings](docs/configuration.md) and',
    '[below](#queue-mode-flip_modequeue). The server is `service/src/server.ts`, run as `service/dist/server.js`;',
    'reports land in `loadtest/results/<date>/report.md`, suites are `test/*.test.ts`. Not paths: `image/jpeg`,',
    '`../shared/photo.jpg`, `GET /jobs/{id}`, [a site](https://example.com/x).',
    'The folder `service/dist` is built from `service/src`.',
    '',
    '```sh',
    'node service/dist/server.js --config deploy/queue.env',
    '```',
    '',
    '## Queue mode (`FLIP_MODE=queue`)',
    '',
  ].join('\n'),
  'docs/api.md':
    '# API\n\n## Errors and `Retry-After`\n\n## Errors and `Retry-After`\n\n[again](#errors-and-retry-after-1)\n',
  'docs/architecture.md':
    '# Architecture\n\n- `service/src/config.ts`: settings\n- `service/src/server.ts`: a process\n',
  'docs/configuration.md': [
    '# Configuration',
    '',
    '| variable | default |',
    '|---|---|',
    '| `PORT` | `3000` |',
    '| `FLIP_MODE` | `inline` |',
    '| `pm_id` | set by PM2 |',
    '',
  ].join('\n'),
  'service/src/config.ts': [
    "import { z } from 'zod';",
    'const schema = z.object({ PORT: z.number(), FLIP_MODE: z.string() });',
    'export const pm2 = (env: NodeJS.ProcessEnv) => [schema, env.pm_id];',
    '',
  ].join('\n'),
  'docker-compose.yml': [
    'services:',
    '  service: &service',
    '    image: flipstack-service:${IMAGE_TAG:-latest}',
    '    environment: { PORT: 3000 }',
    '  api:',
    '    <<: *service',
    '    environment: [FLIP_MODE=queue]',
    '  nginx:',
    '    image: flipstack-nginx:latest',
    '    environment: { UPSTREAM_HOST: api }',
    '',
  ].join('\n'),
  'service/src/server.ts': '',
  'deploy/queue.env': '',
  'loadtest/results/2026-11-23/report.md': '',
  'test/stack.test.ts': '',
};

/** A fresh copy of the sound repository, changed by `edit` (path → new content, or null to delete). */
function repository(name: string, edit: Record<string, string | null> = {}): string {
  const root = join(workDir, name);
  for (const [path, content] of Object.entries({ ...SOUND, ...edit })) {
    if (content === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

test('a sound repository passes', () => {
  assert.deepEqual(checkDocs(repository('sound')), []);
});

test('GitHub anchors: code and punctuation dropped, a repeated heading numbered', () => {
  const anchors = headingAnchors(
    '# Queue mode (`FLIP_MODE=queue`)\n## A, b & c\n## A, b & c\n```\n# not a heading\n```\n',
  );
  assert.deepEqual([...anchors], ['queue-mode-flip_modequeue', 'a-b--c', 'a-b--c-1']);
});

test('a link to a missing file, a missing heading or outside the repository is reported', () => {
  const readme = `${SOUND['README.md']}\n[gone](docs/gone.md) [anchor](docs/api.md#no-such) [up](../x.md) [here](#nope)\n`;
  const line = readme.split('\n').length - 1;
  assert.deepEqual(checkDocs(repository('links', { 'README.md': readme })), [
    `README.md:${line}: link docs/gone.md: no such file`,
    `README.md:${line}: link docs/api.md#no-such: no heading with that anchor`,
    `README.md:${line}: link ../x.md leaves the repository`,
    `README.md:${line}: link #nope: no heading with that anchor`,
  ]);
});

test('a renamed heading breaks the links to it', () => {
  const api = SOUND['docs/api.md']!.replace('## Errors and `Retry-After`\n\n## Errors', '## Failures\n\n## Errors');
  assert.deepEqual(checkDocs(repository('heading', { 'docs/api.md': api })), [
    'docs/api.md:7: link #errors-and-retry-after-1: no heading with that anchor',
  ]);
});

test('a stale path in inline code or a code block is reported; dist is checked by its source', () => {
  const root = repository('paths', { 'deploy/queue.env': null, 'service/src/server.ts': null });
  assert.deepEqual(checkDocs(root), [
    'README.md:4: `service/src/server.ts` does not exist',
    'README.md:4: `service/dist/server.js` does not exist',
    'README.md:10: `service/dist/server.js` does not exist',
    'README.md:10: `deploy/queue.env` does not exist',
    'docs/architecture.md:4: `service/src/server.ts` does not exist',
  ]);
  rmSync(join(root, 'loadtest/results/2026-11-23'), { recursive: true });
  rmSync(join(root, 'test/stack.test.ts'));
  assert.deepEqual(
    checkDocs(root).filter((problem) => problem.startsWith('README.md:5:')),
    ['README.md:5: `loadtest/results/<date>/report.md` does not exist', 'README.md:5: `test/*.test.ts` does not exist'],
  );
});

test('a variable config.ts reads but the page does not list, and one listed but never read', () => {
  const config = SOUND['service/src/config.ts']!.replace('env.pm_id', 'env.FLIP_BACKLOG_MAX');
  assert.deepEqual(checkDocs(repository('variables', { 'service/src/config.ts': config })), [
    'docs/configuration.md: FLIP_BACKLOG_MAX is read by service/src/config.ts but not listed',
    'docs/configuration.md:7: pm_id is listed but service/src/config.ts never reads it',
  ]);
});

test('a variable the compose file passes the service image but config.ts never reads', () => {
  const compose = SOUND['docker-compose.yml']!.replace('FLIP_MODE=queue', 'FLIP_QUEUE_MAX=9');
  assert.deepEqual(checkDocs(repository('compose', { 'docker-compose.yml': compose })), [
    'docker-compose.yml: service api passes FLIP_QUEUE_MAX, which service/src/config.ts never reads',
  ]);
});

test('a file or folder of service/src that the code map does not name', () => {
  const root = repository('code-map', { 'service/src/contracts/flip-scheduler.ts': '' });
  assert.deepEqual(checkDocs(root), ['docs/architecture.md: its code map does not name `service/src/contracts/`']);
});

test('config variables: schema keys, .extend and env reads; a key it cannot name is a problem', () => {
  const source = [
    "const a = z.object({ A: z.string(), 'B': z.string() }).extend({ C: z.string() });",
    'const d = (env: NodeJS.ProcessEnv) => [env.D, env["E"], process.env.F];',
    'const g = z.object({ ...other });',
  ].join('\n');
  const read = configVariables(source);
  assert.deepEqual([...read.names].sort(), ['A', 'B', 'C', 'D', 'E', 'F']);
  assert.deepEqual(read.problems, ['line 3: a schema key that is not a plain name']);
});

test('a long line and a long README are reported', () => {
  const readme = `${SOUND['README.md']}${'x'.repeat(111)}\n${'\n'.repeat(240)}`;
  assert.deepEqual(checkDocs(repository('shape', { 'README.md': readme })), [
    'README.md:254: README.md has 254 lines, over 250',
    'README.md:14: line of 111 characters, over 110',
  ]);
});
