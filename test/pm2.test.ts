// PM2 cluster mode with real PM2, a host nginx and load from a second process, all on 127.0.0.1: crashes,
// SIGKILL, reload and stop lose no request and cut off no flip. Run after `npm run build`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { bmpImage } from '../testkit/bmp-image';
import { freePort } from '../testkit/free-port';
import { getText, servingPids } from '../testkit/get-text';
import { startLoad, type LoadOptions, type LoadResult } from './support/load-generator';
import { rootRequests, sample } from '../testkit/metrics-text';
import { startNginx, type NginxRequest } from './support/nginx-proxy';
import {
  createPm2Home,
  customMetric,
  pm2Bin,
  pm2RuntimeBin,
  repoRoot,
  startPm2Cluster,
  summary,
  totalRestarts,
  type Pm2Cluster,
  type Pm2Process,
} from './support/pm2-cluster';
import { startTmux } from './support/tmux-screen';
import { waitForHttp } from '../testkit/wait-for-http';

// /cpu burns a few milliseconds instead of the default ~50 ms, so a 2-core machine keeps up with the load.
const CPU_ITERATIONS = '1000000';
// A slow flip, about 5 s on one core: Jimp decodes, flips and encodes a 52 MB uncompressed BMP.
const slowFlipImage = bmpImage(5000, 3500);
const FLIP_MAX_BYTES = String(128 * 1024 * 1024);

// Modest steady load: 4 clients, each pausing 50 ms between requests, leaving CPU for the workers' restarts.
const steadyLoad = (baseUrl: string, durationMs: number): LoadOptions => ({
  baseUrl,
  paths: ['/', '/cpu'],
  concurrency: 4,
  durationMs,
  pauseMs: 50,
  requestTimeoutMs: 30_000,
});

const retried = (requests: NginxRequest[]) => requests.filter((request) => request.attempts.length > 1);
// nginx logs 504 for an attempt that hit proxy_read_timeout: a connection orphaned by a dying worker.
const afterTimeout = (requests: NginxRequest[]) => requests.filter((request) => request.attempts.includes('504'));

function report(load: LoadResult, requests: NginxRequest[], restarts: number): string {
  return (
    `${load.sent} requests, ${load.failed} failed, ${load.resent} resent after a keep-alive close, ` +
    `${retried(requests).length} retried by nginx (${afterTimeout(requests).length} after a read timeout), ` +
    `${restarts} PM2 restarts, ${load.processes.length} worker pids answered, statuses ${JSON.stringify(load.statuses)}`
  );
}

function assertNoFailures(load: LoadResult): void {
  assert.ok(load.sent > 0, 'the load generator sent requests');
  assert.equal(load.failed, 0, `failed requests:\n${load.failures.join('\n')}`);
}

const allOnline = (processes: Pm2Process[]) => processes.every((p) => p.pm2_env.status === 'online');

/** POSTs the slow flip and waits until PM2's custom metrics show a worker running it; returns that worker. */
async function startSlowFlip(cluster: Pm2Cluster, baseUrl: string) {
  // The reply is read as it arrives: left unread, 52 MB would stall the worker's write and so its graceful stop.
  const reply = fetch(`${baseUrl}/flip`, {
    method: 'POST',
    body: slowFlipImage,
    headers: { 'content-type': 'image/bmp' },
    signal: AbortSignal.timeout(60_000),
  }).then(async (response) => ({ response, body: Buffer.from(await response.arrayBuffer()) }));
  const processes = await cluster.waitFor('running the flip', (ps) =>
    ps.some((p) => customMetric(p, 'flips in flight') === 1),
  );
  const worker = processes.find((p) => customMetric(p, 'flips in flight') === 1)!;
  return { reply, worker };
}

async function assertFlipComplete(
  reply: Promise<{ response: Response; body: Buffer }>,
  worker: Pm2Process,
): Promise<void> {
  const { response, body } = await reply;
  assert.equal(response.status, 200, body.subarray(0, 300).toString());
  assert.equal(response.headers.get('content-type'), 'image/bmp');
  assert.ok(body.length >= 5000 * 3500 * 3, `a whole ${body.length}-byte BMP`);
  assert.match(
    response.headers.get('x-served-by') ?? '',
    new RegExp(`/${worker.pid}$`),
    'answered by the worker that ran it',
  );
}

test('crash switch (CRASH_AFTER_MS_MAX=10000) under 30 s of load through nginx: every request succeeds, PM2 restarts the workers', async (t) => {
  // Workers share one port: nginx's retries land on the next live one, and only every worker down at once
  // leaves nothing to retry on (node:cluster then closes the port). A restart takes about 2 s on a busy 2-core
  // machine, so with four workers each crashing within 10 s that happened in one run of three; with eight the
  // chance is about a hundred times smaller.
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '8', CRASH_AFTER_MS_MAX: '10000', CPU_ITERATIONS });
  const nginx = await startNginx(t, cluster.port);
  const restartsBefore = totalRestarts(await cluster.list());

  const load = await startLoad(t, steadyLoad(nginx.url, 30_000)).result;

  const restarts = totalRestarts(await cluster.list()) - restartsBefore;
  t.diagnostic(`crash: ${report(load, await nginx.requests(), restarts)}`);
  assertNoFailures(load);
  assert.ok(restarts > 0, 'PM2 restarted crashed workers');
});

test('a worker killed with SIGKILL mid-load: no failed request, PM2 restarts it within its backoff', async (t) => {
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '2', CPU_ITERATIONS });
  const nginx = await startNginx(t, cluster.port);
  const [victim] = await cluster.waitFor('online', allOnline);
  const load = startLoad(t, steadyLoad(nginx.url, 30_000));
  await sleep(2000);

  process.kill(victim!.pid, 'SIGKILL');
  const killedAt = Date.now();
  // exp_backoff_restart_delay is 100 ms for a first crash; the bound covers the restart and boot on a busy machine.
  await cluster.waitFor(
    'restarted',
    (ps) => ps.some((p) => p.pm_id === victim!.pm_id && p.pid !== victim!.pid && p.pm2_env.status === 'online'),
    10_000,
  );
  t.diagnostic(`SIGKILL: worker #${victim!.pm_id} back online ${Date.now() - killedAt} ms after the kill`);
  await sleep(2000);

  const result = await load.stop();
  const processes = await cluster.list();
  t.diagnostic(`SIGKILL: ${report(result, await nginx.requests(), totalRestarts(processes))}; ${summary(processes)}`);
  assertNoFailures(result);
  assert.equal(totalRestarts(processes), 1);
});

test('/metrics through any PM2 worker counts the whole replica, also while a worker is killed and restarted', async (t) => {
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '2', METRICS_PEER_TIMEOUT_MS: '500' });
  const [victim] = await cluster.waitFor('online', allOnline);
  const url = `http://127.0.0.1:${cluster.port}`;
  const requests = 30;
  assert.equal((await servingPids(url, requests)).size, 2, 'the requests must have been spread over both workers');
  for (let i = 0; i < 4; i++) {
    const { body } = await getText(`${url}/metrics`);
    assert.equal(sample(body, rootRequests), requests);
    assert.equal(sample(body, 'metrics_instances_answered'), 2);
  }

  // Kills the victim and scrapes until one scrape is answered: the survivor answers in bounded time (its sibling's
  // share is bounded by METRICS_PEER_TIMEOUT_MS) and, while the victim is down, counts one worker. PM2's daemon,
  // which hands out the connections, may still give one to the killed worker for a moment: that connection is
  // never answered (behind nginx, a retry on another replica), so it is given up after 3 s, counted, and the scrape
  // sent again. If by then PM2 already had the replacement up (the scrape counts 2 and the victim's pm_id has a
  // new pid), the replacement is killed in turn: at most three rounds.
  const unanswered: string[] = [];
  let target = victim!;
  let whileDown: { ms: number; round: number } | undefined;
  for (let round = 1; whileDown === undefined; round++) {
    assert.ok(round <= 3, 'in three rounds, no scrape was answered while a worker was down');
    process.kill(target.pid, 'SIGKILL');
    let answered: number | undefined;
    while (answered === undefined) {
      assert.ok(unanswered.length <= 2, `${unanswered.length} scrapes unanswered: ${unanswered.join('; ')}`);
      const started = Date.now();
      const scrape = await getText(`${url}/metrics`, 3000).catch((error: Error) => {
        unanswered.push(error.message);
        return undefined;
      });
      if (scrape === undefined) continue;
      assert.equal(scrape.status, 200);
      const ms = Date.now() - started;
      assert.ok(ms < 3000, `scrape took ${ms} ms`);
      answered = sample(scrape.body, 'metrics_instances_answered');
      if (answered === 1) whileDown = { ms, round };
    }
    if (whileDown !== undefined) break;
    assert.equal(answered, 2);
    const killed = target;
    const replaced = await cluster.waitFor('replaced', (ps) =>
      ps.some((p) => p.pm_id === killed.pm_id && p.pid !== killed.pid && p.pm2_env.status === 'online'),
    );
    target = replaced.find((p) => p.pm_id === killed.pm_id)!;
  }
  t.diagnostic(
    `a scrape while worker #${target.pm_id} was down answered in ${whileDown.ms} ms counting 1 worker (round ` +
      `${whileDown.round}); ${unanswered.length} connections handed to a killed worker`,
  );
  await cluster.waitFor(
    'restarted',
    (ps) => ps.some((p) => p.pm_id === target.pm_id && p.pid !== target.pid && p.pm2_env.status === 'online'),
    10_000,
  );
  assert.equal(sample((await getText(`${url}/metrics`)).body, 'metrics_instances_answered'), 2);
});

test('pm2 reload under steady load: no failed request, and a ~5 s flip in flight completes', async (t) => {
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '2', CPU_ITERATIONS, FLIP_MAX_BYTES });
  const nginx = await startNginx(t, cluster.port);
  const before = await cluster.waitFor('online', allOnline);
  const load = startLoad(t, steadyLoad(nginx.url, 60_000));
  const flip = await startSlowFlip(cluster, nginx.url);

  // Returns once every worker was replaced: each new one sent 'ready', then its predecessor drained and exited.
  await cluster.pm2('reload', 'flipstack');
  await assertFlipComplete(flip.reply, flip.worker);
  const result = await load.stop();

  const after = await cluster.list();
  const requests = await nginx.requests();
  t.diagnostic(`reload: ${report(result, requests, totalRestarts(after))}; ${summary(before)} → ${summary(after)}`);
  assertNoFailures(result);
  const flipRequests = requests.filter((request) => request.uri === '/flip');
  assert.deepEqual(
    flipRequests.map((request) => request.attempts.length),
    [1],
    'the flip ran once, not cut off and retried by nginx',
  );
  const oldPids = new Set(before.map((p) => p.pid));
  assert.ok(
    after.every((p) => !oldPids.has(p.pid) && p.pm2_env.status === 'online'),
    'every worker was replaced',
  );
});

test('pm2 stop while a flip runs: the flip completes, then the worker exits 0', async (t) => {
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '1', FLIP_MAX_BYTES });
  const flip = await startSlowFlip(cluster, `http://127.0.0.1:${cluster.port}`);

  await cluster.pm2('stop', 'flipstack');
  await assertFlipComplete(flip.reply, flip.worker);

  const [stopped] = await cluster.list();
  assert.equal(stopped?.pm2_env.status, 'stopped');
  assert.match(await cluster.daemonLog(), /App \[flipstack:0\] exited with code \[0\]/);
});

test('an unhandled rejection still crashes the worker under PM2, which restarts it', async (t) => {
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '1' }, [
    'start',
    'test/fixtures/unhandled-rejection-server.js',
    '--name',
    'rejection',
    '--instances',
    '1',
  ]);
  const [worker] = await cluster.waitFor('restarted after the rejection', (ps) =>
    ps.every((p) => p.pm2_env.restart_time > 0),
  );
  t.diagnostic(`unhandled rejection: ${summary([worker!])}`);
  assert.match(await cluster.daemonLog(), /App \[rejection:0\] exited with code \[1\]/);
});

test('pm2 monit, as a person sees it in a terminal, shows the workers and their custom metrics during a flip', async (t) => {
  const cluster = await startPm2Cluster(t, { WEB_CONCURRENCY: '2', FLIP_MAX_BYTES });
  const baseUrl = `http://127.0.0.1:${cluster.port}`;
  // A few quick demo flips first, so both workers have a p95 to show (a metric without samples is not listed).
  for (let i = 0; i < 4; i++) assert.equal((await fetch(`${baseUrl}/flip`, { method: 'POST' })).status, 200);
  // Tall enough for PM2's own metrics and ours in the Custom Metrics panel.
  const monit = await startTmux(
    t,
    [process.execPath, pm2Bin, 'monit'],
    {
      PM2_HOME: cluster.home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      // Box drawing as Unicode rather than the terminal's line-drawing charset, so the capture reads as it looks.
      NCURSES_NO_UTF8_ACS: '1',
    },
    160,
    80,
  );

  // Keys pressed before monit has drawn its process list are lost: wait for it first.
  for (let attempt = 0; attempt < 40 && !/\[ 1\] flipstack/.test(await monit.capture()); attempt++) await sleep(250);
  const flip = await startSlowFlip(cluster, baseUrl);
  // monit shows the metrics of the selected process: move the selection to the worker running the flip.
  const workers = (await cluster.list()).map((p) => p.pm_id);
  await monit.press(...workers.slice(0, workers.indexOf(flip.worker.pm_id)).map(() => 'Down'));

  const wanted = [
    /\[ 0\] flipstack/,
    /\[ 1\] flipstack/,
    /flips in flight\s+1\b/,
    /flips waiting\s+0\b/,
    /flips per minute/,
    /p95 flip ms/,
    /rejections per minute/,
    /requests per second/,
  ];
  // monit redraws every second; look until everything is on screen while the flip runs, for at most 15 s.
  let screen = '';
  for (let attempt = 0; attempt < 30 && !wanted.every((text) => text.test(screen)); attempt++) {
    await sleep(500);
    screen = await monit.capture();
  }
  t.diagnostic(`pm2 monit screen:\n${screen}`);
  for (const text of wanted) assert.match(screen, text);
  await assertFlipComplete(flip.reply, flip.worker);
});

test('pm2-runtime (the image command): worker logs on stdout, no log files, SIGTERM stops the workers with exit 0', async (t) => {
  const { home, env } = await createPm2Home(t, async () => {
    if (runtime.exitCode === null && runtime.kill('SIGKILL')) await once(runtime, 'exit');
  });
  const port = await freePort();
  const runtime = spawn(process.execPath, [pm2RuntimeBin, 'ecosystem.config.js'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', WEB_CONCURRENCY: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  runtime.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));

  await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  assert.deepEqual(await readdir(join(home, 'logs')), [], 'no log file under PM2_HOME/logs');

  runtime.kill('SIGTERM');
  const [code] = await once(runtime, 'exit');
  assert.equal(code, 0);
  assert.match(stdout, /"msg":"listening"/, "the worker's pino log reached pm2-runtime's stdout");
  assert.match(stdout, /App \[flipstack:0\] exited with code \[0\]/);
});
