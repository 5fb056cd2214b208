// Smoke versions of the k6 load tests: flip.js, cpu.js, crash.js and jobs.js run with the real k6 against the
// real service, small (bundled sample image, few VUs, seconds), and must pass their thresholds.
// - flip.js and cpu.js target the node:cluster runner started here on a free 127.0.0.1 port, or
//   LOADTEST_BASE_URL when set (e.g. the compose stack's nginx).
// - crash.js needs a front that retries a request whose worker died (nginx): it targets
//   LOADTEST_CRASH_BASE_URL when set, else a compose stack started here with the crash switch on,
//   and is skipped with the reason when neither is available.
// Needs k6 (deploy/install-k6.sh, run by `make k6`) and a built service (`npm run build`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../testkit/free-port';
import { startQueueDeployment, type QueueDeployment } from '../testkit/queue-deployment';
import { k6Binary, REPO_ROOT, runK6, type K6Result } from '../loadtest/bench/k6';
import { MODES, type RunningMode } from '../loadtest/bench/modes';
import { startServed, type ServedProcess } from '../loadtest/bench/served-process';
import { waitForServers } from '../loadtest/bench/wait-for-servers';

const WORKERS = 2;
// Default queue: one process holds the ten flips of the experiment however the runner spreads them.
const SERVICE_ENV = { WEB_CONCURRENCY: String(WORKERS), LOG_LEVEL: 'warn' };

function assertThresholdsHeld(result: K6Result): void {
  const failed = result.report.thresholds.filter((t) => !t.ok);
  assert.deepEqual(failed, [], `thresholds failed (k6 exit ${result.exitCode}):\n${result.output.slice(-3000)}`);
  assert.equal(result.exitCode, 0, result.output.slice(-3000));
  assert.equal(result.report.failed, 0);
  assert.ok(result.report.requests > 0, 'no request was sent');
}

/** Every check of the run passed, and each named one ran `times` times (a check that never ran is no proof). */
function assertEveryCheckPassed(result: K6Result, names: string[], times: number): void {
  const { checks } = result.data.root_group;
  assert.deepEqual(
    checks.filter((check) => check.fails > 0),
    [],
  );
  for (const name of names)
    assert.equal(checks.find((check) => check.name === name)?.passes, times, `${name}: ${JSON.stringify(checks)}`);
}

/** The report's servers are the `<hostname>/<pid>` the script logged, one per reply, none missing or unnamed. */
function assertServersNamed(result: K6Result, logged: string[], replies: number): void {
  for (const server of logged) assert.match(server, /^[^/\s]+\/[1-9]\d*$/);
  const servers = result.report.servers;
  assert.equal(
    servers.reduce((sum, s) => sum + s.replies, 0),
    replies,
    JSON.stringify(servers),
  );
  assert.deepEqual(servers.map((s) => s.server).sort(), [...new Set(logged)].sort());
}

before(() => {
  const k6 = spawnSync(k6Binary(), ['version'], { timeout: 10_000 });
  assert.equal(k6.status, 0, 'k6 is missing: run `make k6` (deploy/install-k6.sh)');
});

describe('flip.js and cpu.js', { timeout: 240_000 }, () => {
  let served: ServedProcess | undefined;
  let baseUrl = process.env.LOADTEST_BASE_URL ?? '';

  before(async () => {
    if (baseUrl) return;
    served = await startServed({
      command: process.execPath,
      args: [join(REPO_ROOT, 'service/dist/cluster.js')],
      port: await freePort(),
      env: SERVICE_ENV,
      cwd: REPO_ROOT,
    });
    baseUrl = served.baseUrl;
    await waitForServers(baseUrl, WORKERS);
  });
  after(async () => {
    await served?.stop();
  });

  test('flip.js: simultaneous flips of the sample all come back as JPEGs, first reply before the last', async () => {
    const result = await runK6({ script: 'flip', env: { BASE_URL: baseUrl, VUS: '4' }, timeoutMs: 120_000 });
    assertThresholdsHeld(result);
    assert.equal(result.report.requests, 4);
    assertEveryCheckPassed(result, ['status is 200', 'body is a non-empty image/jpeg'], 4);
    // Simultaneous: every request was on its way before the first reply came back.
    const lastSentMs = result.data.metrics.flip_sent_at!.values.max!;
    const { firstReplyMs = 0, lastReplyMs = 0 } = result.report;
    assert.ok(lastSentMs < firstReplyMs, `last request sent at ${lastSentMs} ms, first reply at ${firstReplyMs} ms`);
    // Four flips on two processes of one flip thread each: one process runs two in turn, so the last reply comes
    // a flip after the first. The report's figures are the earliest and latest of the replies the script logged.
    const replies = [...result.output.matchAll(/reply at (\d+\.\d\d) s from (\S+): 200, [1-9]\d* bytes/g)];
    assert.equal(replies.length, 4, result.output.slice(-3000));
    const logged = replies.map((reply) => Number(reply[1]) * 1000);
    assert.ok(firstReplyMs < lastReplyMs, `first ${firstReplyMs} ms, last ${lastReplyMs} ms`);
    assert.ok(Math.abs(Math.min(...logged) - firstReplyMs) <= 10, `first ${firstReplyMs} ms, logged ${logged}`);
    assert.ok(Math.abs(Math.max(...logged) - lastReplyMs) <= 10, `last ${lastReplyMs} ms, logged ${logged}`);
    assertServersNamed(
      result,
      replies.map((reply) => reply[2]!),
      4,
    );
  });

  test('cpu.js: an ab-style run without keep-alive has no failure and reaches every worker', async () => {
    const result = await runK6({
      script: 'cpu',
      env: { BASE_URL: baseUrl, VUS: '20', DURATION: '3s' },
      timeoutMs: 90_000,
    });
    assertThresholdsHeld(result);
    assert.ok((result.report.reqPerSec ?? 0) > 0);
    if (served) assert.equal(result.report.servers.length, WORKERS, JSON.stringify(result.report.servers));
  });
});

describe('jobs.js', { timeout: 240_000 }, () => {
  let deployment: QueueDeployment | undefined;
  before(async () => {
    deployment = await startQueueDeployment({ workers: 2 });
  });
  after(async () => {
    await deployment?.dispose();
  });

  test('jobs.js: simultaneous jobs are accepted, polled, completed and fetched, each naming its worker', async () => {
    const result = await runK6({
      script: 'jobs',
      env: { BASE_URL: deployment!.apis[0]!.url, VUS: '4' },
      timeoutMs: 120_000,
    });
    assertThresholdsHeld(result);
    assert.equal(result.report.jobsCompleted, 4);
    assertEveryCheckPassed(result, ['job accepted (202)', 'result is 200', 'result is a non-empty image/jpeg'], 4);
    // Four jobs on two workers that run one job each at a time: the last completes a job after the first.
    const jobs = [...result.output.matchAll(/job \S+ completed at (\d+\.\d\d) s on (\S+) after \d+ ms of work/g)];
    assert.equal(jobs.length, 4, result.output.slice(-3000));
    const logged = jobs.map((job) => Number(job[1]) * 1000);
    const { firstCompletionMs = 0, lastCompletionMs = 0 } = result.report;
    assert.ok(firstCompletionMs < lastCompletionMs, `first ${firstCompletionMs} ms, last ${lastCompletionMs} ms`);
    assert.ok(Math.abs(Math.min(...logged) - firstCompletionMs) <= 10, `first ${firstCompletionMs}, logged ${logged}`);
    assert.ok(Math.abs(Math.max(...logged) - lastCompletionMs) <= 10, `last ${lastCompletionMs}, logged ${logged}`);
    // Each job names the worker process that ran it: one of this deployment's, by hostname and pid.
    const workers = deployment!.workers.map((worker) => `${hostname()}/${worker.child.pid}`);
    for (const job of jobs) assert.ok(workers.includes(job[2]!), `job on ${job[2]}, workers ${workers}`);
    assertServersNamed(
      result,
      jobs.map((job) => job[2]!),
      4,
    );
  });
});

describe('crash.js', { timeout: 900_000 }, () => {
  const stackMode = MODES.find((m) => m.name === 'stack');
  const external = process.env.LOADTEST_CRASH_BASE_URL;
  const unavailable = external ? undefined : stackMode?.unavailable();
  let stack: RunningMode | undefined;

  before(async () => {
    if (external || unavailable || !stackMode) return;
    // The second article's switch: every worker exits at a random time within 10 s of listening.
    stack = await stackMode.start({ ...SERVICE_ENV, CRASH_AFTER_MS_MAX: '10000' });
  });
  after(async () => {
    await stack?.stop();
  });

  test(
    'crash.js: no failed request while workers crash behind a retrying front',
    { skip: unavailable && `no retrying front: ${unavailable}` },
    async (t) => {
      const baseUrl = external ?? stack?.baseUrl ?? '';
      const result = await runK6({
        script: 'crash',
        env: { BASE_URL: baseUrl, VUS: '20', DURATION: '10s' },
        timeoutMs: 120_000,
      });
      assertThresholdsHeld(result);
      // A worker crashed during the run: more processes answered than can be alive at once (replicas x
      // WEB_CONCURRENCY), so some answered and died, and their replacements answered too. Unknown for an external
      // front, whose size this test does not know.
      if (stack && stackMode) {
        const alive = stackMode.servers * WORKERS;
        const answered = result.report.servers.length;
        t.diagnostic(`${answered} processes answered, at most ${alive} alive at once`);
        assert.ok(answered > alive, `${answered} processes answered, at most ${alive} alive at once: none crashed`);
      }
    },
  );
});
