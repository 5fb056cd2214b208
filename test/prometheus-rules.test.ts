// The monitoring profile's Prometheus files, checked by Prometheus's own promtool (Debian's prometheus
// package): the configuration loads, and the recording and alert rules compute what rules.test.yml expects.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = join(__dirname, '..', 'monitoring', 'prometheus');

test('promtool accepts prometheus.yml and its rule file', async () => {
  const { stdout } = await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: dir });
  assert.match(stdout, /SUCCESS: prometheus\.yml is valid/);
});

test('promtool test rules: rates, error ratio, p95 and the alerts fire as rules.test.yml expects', async () => {
  const { stdout } = await run('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: dir });
  assert.match(stdout, /SUCCESS/);
});
