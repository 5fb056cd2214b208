// `make bench`: for each mode (standard, cluster, pm2, stack) start the service, run the 10-flip test
// with the benchmark photo and the CPU test (k6, then the literal ab), sample peak RSS, stop it; then
// write loadtest/results/<date>/report.md with SVG charts. Bounded in time; prints progress.
//   node --import tsx loadtest/bench/bench.ts [--modes standard,cluster] [--image path] [--budget-min 20]
import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runAb } from './ab';
import { measureCpuCost, type CostRatio } from './cpu-cost';
import { flipTimeline } from './flip-timeline';
import { REPO_ROOT, runK6, type K6Result } from './k6';
import { loadAverage, machineFacts } from './machine';
import { MODES, type Mode, type RunningMode } from './modes';
import { withPeakRss } from './peak-rss';
import { prometheusSection, untilScraped, writePrometheusChart, type ChartedRun } from './prometheus-chart';
import { renderReport } from './report';
import {
  idealMakespanMs,
  type BenchResults,
  type CpuFigures,
  type CrashFigures,
  type FlipFigures,
  type ModeResult,
} from './results';
import { barChart, timelineChart } from './svg-charts';
import { waitForServers } from './wait-for-servers';

const FLIPS = 10;
const CPU_VUS = 500;
const CPU_SECONDS = 10;
// The second article's crash variant: each worker exits within 10 s.
const CRASH_AFTER_MS_MAX = 10_000;
// The default queue holds all 10 flips in one process; the 10th waits ~9 flip times, which on a slow
// engine exceeds the default 60 s deadline.
const SERVICE_ENV = { FLIP_TIMEOUT_MS: '600000', LOG_LEVEL: 'warn' };
// A mode is only started when at least this much of the budget is left (a 2-core flip run of the photo).
const MIN_MODE_MS = 3 * 60_000;
// The crash run: one stack start and two 10 s loads.
const MIN_CRASH_MS = 90_000;

const { values: args } = parseArgs({
  options: {
    modes: { type: 'string', default: MODES.map((m) => m.name).join(',') },
    image: { type: 'string', default: '../shared/fixtures/photo-6.7mb.jpg' },
    'budget-min': { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});

const startedAt = new Date();
const deadline = startedAt.getTime() + Number(args['budget-min']) * 60_000;
const remainingMs = (): number => deadline - Date.now();

function log(message: string): void {
  const s = Math.round((Date.now() - startedAt.getTime()) / 1000);
  console.log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${message}`);
}

/** Relays k6's console lines ("reply at …") and its warnings as progress. */
function relay(mode: string): (line: string) => void {
  return (line) => {
    const msg = /msg="(.*?)"( source=console)?/.exec(line);
    if (msg && (msg[2] || /level=(warning|error)/.test(line))) log(`  ${mode}: ${msg[1]}`);
  };
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

async function k6Run(
  mode: string,
  script: 'flip' | 'cpu',
  env: Record<string, string>,
  rawDir: string,
  rawOut?: string,
): Promise<K6Result> {
  const result = await runK6({ script, env, rawOut, timeoutMs: Math.max(0, remainingMs()), onLine: relay(mode) });
  writeFileSync(join(rawDir, `${mode}-${script}.log`), result.output);
  return result;
}

/**
 * T for this mode: one flip alone through it, after one that warms it up (JIT, WebAssembly compiles, the
 * proxy's connections), so that T and the ten flips after it are both measured warm.
 */
async function flipAlone(mode: Mode, running: RunningMode, image: string, rawDir: string): Promise<number> {
  const env = { BASE_URL: running.baseUrl, IMAGE: image, VUS: '1' };
  await k6Run(`${mode.name}-warm-up`, 'flip', env, rawDir);
  const alone = await k6Run(`${mode.name}-alone`, 'flip', env, rawDir);
  if (alone.report.failed > 0 || alone.report.lastReplyMs === undefined) throw new Error('a flip alone failed');
  log(`${mode.name}: one flip alone (warm): ${(alone.report.lastReplyMs / 1000).toFixed(2)} s`);
  return alone.report.lastReplyMs;
}

async function flipTest(mode: Mode, running: RunningMode, image: string, rawDir: string): Promise<FlipFigures> {
  const aloneMs = await flipAlone(mode, running, image, rawDir);
  log(`${mode.name}: ${FLIPS} concurrent flips of ${basename(image)}`);
  const raw = join(rawDir, `${mode.name}-flip.ndjson`);
  const env = { BASE_URL: running.baseUrl, IMAGE: image, VUS: String(FLIPS) };
  const [k6, peakRssBytes] = await withPeakRss(
    () => running.roots(),
    () => k6Run(mode.name, 'flip', env, rawDir, raw),
  );
  const figures: FlipFigures = {
    exitCode: k6.exitCode,
    aloneMs,
    requests: k6.report.requests,
    failed: k6.report.failed,
    firstReplyMs: k6.report.firstReplyMs ?? 0,
    lastReplyMs: k6.report.lastReplyMs ?? 0,
    distinctServers: k6.report.servers.length,
    timeline: flipTimeline(raw),
    peakRssBytes,
  };
  log(
    `${mode.name}: first reply ${(figures.firstReplyMs / 1000).toFixed(1)} s, last ${(figures.lastReplyMs / 1000).toFixed(1)} s, ${figures.failed} failed, ${figures.distinctServers} servers`,
  );
  return figures;
}

// k6 and ab each get a fresh start of the mode: requests a client abandons at its time limit stay
// queued on the event loop and would delay the next client's first ten seconds.
async function cpuTest(mode: Mode, rawDir: string): Promise<CpuFigures> {
  log(`${mode.name}: CPU test, k6 ${CPU_VUS} VUs for ${CPU_SECONDS} s`);
  const [k6, k6PeakRss] = await withMode(mode, rawDir, 'cpu', (running) =>
    withPeakRss(
      () => running.roots(),
      () =>
        k6Run(
          mode.name,
          'cpu',
          { BASE_URL: running.baseUrl, VUS: String(CPU_VUS), DURATION: `${CPU_SECONDS}s` },
          rawDir,
        ),
    ),
  );
  log(
    `${mode.name}: k6 ${(k6.report.reqPerSec ?? 0).toFixed(1)} req/s, ${k6.report.failed} failed; now ab -c ${CPU_VUS} -t ${CPU_SECONDS}`,
  );
  const [ab, abPeakRss] = await withMode(mode, rawDir, undefined, (running) =>
    withPeakRss(
      () => running.roots(),
      () =>
        runAb(`${running.baseUrl}/cpu`, CPU_VUS, CPU_SECONDS).catch((error: unknown) => ({ error: errorText(error) })),
    ),
  );
  log(`${mode.name}: ab ${'error' in ab ? ab.error : `${ab.reqPerSec} req/s, ${ab.failed} failed`}`);
  const p = (n: number): number => k6.report.percentiles?.find((x) => x.p === n)?.ms ?? 0;
  return {
    exitCode: k6.exitCode,
    requests: k6.report.requests,
    failed: k6.report.failed,
    reqPerSec: k6.report.reqPerSec ?? 0,
    p50Ms: p(50),
    p90Ms: p(90),
    p99Ms: p(99),
    maxMs: p(100),
    distinctServers: k6.report.servers.length,
    ab,
    peakRssBytes: Math.max(k6PeakRss, abPeakRss),
  };
}

/**
 * Starts the mode, waits until all its processes answer, runs `work`, and always stops it. A mode with
 * Prometheus (the stacks) gets the chart of the `charted` run drawn before it stops.
 */
async function withMode<T>(
  mode: Mode,
  rawDir: string,
  charted: ChartedRun | undefined,
  work: (running: RunningMode) => Promise<T>,
  env: Record<string, string> = SERVICE_ENV,
): Promise<T> {
  log(`${mode.name}: starting ${mode.description}`);
  // Prometheus only where its chart is drawn: elsewhere its scrapes would be work the host modes do not carry.
  const running = await mode.start(env, { monitoring: charted !== undefined });
  let workStartedAt = Date.now();
  try {
    log(`${mode.name}: ${[...(await waitForServers(running.baseUrl, mode.servers))].join(', ')} answering`);
    if (charted && running.prometheusUrl) {
      await untilScraped(running.prometheusUrl, mode.servers);
      workStartedAt = Date.now();
    }
    return await work(running);
  } finally {
    if (charted && running.prometheusUrl)
      await writePrometheusChart(running.prometheusUrl, dirname(rawDir), mode.name, charted, workStartedAt);
    await running.stop();
  }
}

/** The literal `ab -r` and k6's crash.js against one start of the stack with the crash switch on. */
async function crashRun(stack: Mode, rawDir: string): Promise<CrashFigures> {
  const env = { ...SERVICE_ENV, CRASH_AFTER_MS_MAX: String(CRASH_AFTER_MS_MAX) };
  return withMode(
    stack,
    rawDir,
    undefined,
    async (running) => {
      log(`crash run: ab -r -c ${CPU_VUS} -t ${CPU_SECONDS} while workers exit within ${CRASH_AFTER_MS_MAX} ms`);
      const ab = await runAb(`${running.baseUrl}/cpu`, CPU_VUS, CPU_SECONDS, { continueOnError: true }).catch(
        (error: unknown) => ({ error: errorText(error) }),
      );
      log(`crash run: ab ${'error' in ab ? ab.error : `${ab.failed} failed, ${ab.non2xx} non-2xx`}; now k6 crash.js`);
      const k6 = await runK6({
        script: 'crash',
        env: { BASE_URL: running.baseUrl, VUS: String(CPU_VUS), DURATION: `${CPU_SECONDS}s` },
        timeoutMs: Math.max(0, remainingMs()),
        onLine: relay('crash'),
      });
      writeFileSync(join(rawDir, 'stack-crash.log'), k6.output);
      log(`crash run: k6 ${k6.report.failed} failed of ${k6.report.requests}`);
      return {
        crashAfterMsMax: CRASH_AFTER_MS_MAX,
        ab,
        k6: {
          exitCode: k6.exitCode,
          requests: k6.report.requests,
          failed: k6.report.failed,
          reqPerSec: k6.report.reqPerSec ?? 0,
        },
      };
    },
    env,
  );
}

// Each test gets a fresh start of the mode, so the CPU test's peak RSS and speed do not carry the
// memory a 15 s photo flip leaves behind.
async function benchMode(mode: Mode, image: string, rawDir: string, results: BenchResults): Promise<ModeResult> {
  const result: ModeResult = {
    name: mode.name,
    description: mode.description,
    concurrency: Math.min(mode.flipSlots, availableParallelism()),
  };
  const reason =
    mode.unavailable() ?? (remainingMs() < MIN_MODE_MS ? 'the time budget was used up before this mode' : undefined);
  if (reason) {
    log(`${mode.name}: skipped, ${reason}`);
    return { ...result, skipped: reason };
  }
  try {
    result.flip = await withMode(mode, rawDir, 'flip', (running) => flipTest(mode, running, image, rawDir));
    if (mode.name === 'standard') results.flipMs = result.flip.aloneMs;
    result.cpu = await cpuTest(mode, rawDir);
  } catch (error) {
    result.error = errorText(error);
    log(`${mode.name}: failed: ${result.error}`);
  }
  return result;
}
function writeCharts(results: BenchResults, outDir: string): void {
  const flipped = results.modes.filter((m) => m.flip);
  writeFileSync(
    join(outDir, 'flip-timeline.svg'),
    timelineChart(
      `${results.flips} concurrent flips of ${results.image.name}: send → reply per request`,
      flipped.map((m) => ({
        label: m.name,
        requests: m.flip?.timeline ?? [],
        ...(m.flip ? { idealMs: idealMakespanMs(results.flips, m.concurrency, m.flip.aloneMs) } : {}),
      })),
    ),
  );
  const measured = results.modes.filter((m) => m.cpu);
  writeFileSync(
    join(outDir, 'cpu-throughput.svg'),
    barChart(
      `GET /cpu, ${results.cpu.vus} clients, ${results.cpu.seconds} s: requests per second`,
      'req/s',
      ['k6', 'ab'],
      measured.map((m) => {
        const ab = m.cpu?.ab;
        return { label: m.name, values: [m.cpu?.reqPerSec ?? 0, ab && !('error' in ab) ? ab.reqPerSec : 0] };
      }),
    ),
  );
  writeFileSync(
    join(outDir, 'cpu-latency.svg'),
    barChart(
      `GET /cpu, ${results.cpu.vus} clients: latency percentiles (k6)`,
      'ms',
      ['p50', 'p90', 'p99', 'max'],
      measured.map((m) => ({
        label: m.name,
        values: [m.cpu?.p50Ms ?? 0, m.cpu?.p90Ms ?? 0, m.cpu?.p99Ms ?? 0, m.cpu?.maxMs ?? 0],
      })),
    ),
  );
}

async function main(): Promise<void> {
  const image = resolve(REPO_ROOT, args.image);
  if (!existsSync(image)) throw new Error(`benchmark image not found: ${image} (pass --image)`);
  const selected = args.modes.split(',').map((name) => {
    const mode = MODES.find((m) => m.name === name.trim());
    if (!mode) throw new Error(`unknown mode "${name}"; modes: ${MODES.map((m) => m.name).join(', ')}`);
    return mode;
  });
  const outDir = resolve(args.out ?? join(REPO_ROOT, 'loadtest/results', startedAt.toISOString().slice(0, 10)));
  const rawDir = join(outDir, 'raw');
  mkdirSync(rawDir, { recursive: true });
  log(`bench: modes ${selected.map((m) => m.name).join(', ')}; budget ${args['budget-min']} min; results in ${outDir}`);

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    image: { name: basename(image), bytes: statSync(image).size },
    flips: FLIPS,
    cpu: { vus: CPU_VUS, seconds: CPU_SECONDS },
    serviceEnv: SERVICE_ENV,
    machine: machineFacts(),
    modes: [],
  };
  log("cpu cost: GET /cpu against the article's plain server, ab -c 1 with and without -k, alternating");
  results.cpuCost = await measureCpuCost(SERVICE_ENV).catch((error: unknown) => ({ error: errorText(error) }));
  const cost = results.cpuCost;
  const both = (ratio: CostRatio) =>
    `${ratio.serviceMs.toFixed(2)} ms vs ${ratio.articleMs.toFixed(2)} ms, × ${ratio.ratio.toFixed(2)}`;
  log(
    'error' in cost
      ? `cpu cost: ${cost.error}`
      : `cpu cost per request: new connections ${both(cost.newConnections)}; keep-alive ${both(cost.keepAlive)}; ` +
          `loop ${'error' in cost.loop ? cost.loop.error : cost.loop.identical ? "the article's instructions" : "NOT the article's instructions"}`,
  );
  for (const mode of selected) results.modes.push(await benchMode(mode, image, rawDir, results));
  const stack = selected.find((mode) => mode.name === 'stack');
  const crashSkip = !stack
    ? 'the stack mode was not selected'
    : (stack.unavailable() ?? (remainingMs() < MIN_CRASH_MS ? 'the time budget was used up' : undefined));
  results.crash = crashSkip
    ? { skipped: crashSkip }
    : await crashRun(stack!, rawDir).catch((error: unknown) => ({ skipped: `failed: ${errorText(error)}` }));
  results.durationMs = Date.now() - startedAt.getTime();
  results.machine['Load average at end (1/5/15 min)'] = loadAverage();

  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeCharts(results, outDir);
  writeFileSync(join(outDir, 'report.md'), renderReport(results));
  appendFileSync(
    join(outDir, 'report.md'),
    prometheusSection(
      outDir,
      selected.map((m) => m.name),
    ),
  );
  log(`bench: wrote ${join(outDir, 'report.md')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
