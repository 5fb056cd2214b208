// Which CPU priorities put the flips already accepted ahead of the uploads still arriving: the flip test of
// `make bench` (T alone, then ten concurrent flips of the photo) on one start of each compose mode, with the
// priorities switched between runs on the running containers, alternating round by round (the machine is
// noisy and shared), so every variant sees the same stack and the same neighbours. Writes
// loadtest/results/<date>/first-reply.md.
//   node --import tsx loadtest/bench/first-reply.ts [--modes stack,stack-queue] [--rounds 3] [--image path]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { docker, type ComposeStack } from '../../testkit/compose';
import { REPO_ROOT, runK6 } from './k6';
import { loadAverage, machineFacts } from './machine';
import { MODES, type RunningMode } from './modes';
import { processTree } from './process-tree';
import { idealMakespanMs } from './results';

const FLIPS = 10;
// As `make bench`: no request logs, and no deadline the tenth flip could reach on a slow machine.
const SERVICE_ENV = { FLIP_TIMEOUT_MS: '600000', LOG_LEVEL: 'warn' };
// The flip test's targets (issue 21).
const FIRST_TARGET = 1.3;
const MAKESPAN_TARGET = 1.15;

const { values: args } = parseArgs({
  options: {
    modes: { type: 'string', default: 'stack,stack-queue' },
    rounds: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'equal,weights,nice,weights+nice' },
    image: { type: 'string', default: '../shared/fixtures/photo-6.7mb.jpg' },
    out: { type: 'string' },
  },
});

/** The compose services that flip (and, inline, also take the uploads) and those that only carry uploads. */
const FLIPPING = ['service', 'worker'];
const INGEST = ['nginx', 'api', 'redis'];
// Docker's default weight is 1024 (cgroup v1 cpu.shares; v2 maps it to cpu.weight 100).
const DEFAULT_SHARES = 1024;
const INGEST_SHARES = 256;
const MAIN_THREAD_NICE = 10;

interface Variant {
  /** CPU weight of the ingest containers; the flipping ones keep the default. */
  ingestShares: number;
  /** Nice value of each node process's main thread in the flipping containers (its flip threads keep 0). */
  mainThreadNice: number;
}

const VARIANTS: Record<string, Variant> = {
  equal: { ingestShares: DEFAULT_SHARES, mainThreadNice: 0 },
  weights: { ingestShares: INGEST_SHARES, mainThreadNice: 0 },
  nice: { ingestShares: DEFAULT_SHARES, mainThreadNice: MAIN_THREAD_NICE },
  'weights+nice': { ingestShares: INGEST_SHARES, mainThreadNice: MAIN_THREAD_NICE },
};

interface Run {
  variant: string;
  aloneMs: number;
  firstMs: number;
  lastMs: number;
  failed: number;
}

async function containersOf(stack: ComposeStack, services: string[]): Promise<string[]> {
  return (await Promise.all(services.map((service) => stack.containerIds(service)))).flat();
}

/** The node processes' main threads in these containers: a thread whose id is its process's. */
async function mainThreads(containers: string[]): Promise<number[]> {
  if (containers.length === 0) return [];
  const roots = (await docker('inspect', '--format', '{{.State.Pid}}', ...containers)).split('\n').map(Number);
  return processTree(roots).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node' && readdirSync(`/proc/${pid}/task`).length > 1;
    } catch {
      return false;
    }
  });
}

async function apply(stack: ComposeStack, variant: Variant): Promise<void> {
  const ingest = await containersOf(stack, INGEST);
  const flipping = await containersOf(stack, FLIPPING);
  if (ingest.length > 0) await docker('update', '--cpu-shares', String(variant.ingestShares), ...ingest);
  // renice of a thread id changes that thread alone; threads started later inherit their creator's value.
  for (const tid of await mainThreads(flipping)) {
    execFileSync('renice', ['-n', String(variant.mainThreadNice), '-p', String(tid)], { stdio: 'ignore' });
  }
}

async function flipRun(running: RunningMode, image: string, vus: number) {
  const { report } = await runK6({
    script: 'flip',
    env: { BASE_URL: running.baseUrl, IMAGE: image, VUS: String(vus) },
    timeoutMs: 600_000,
  });
  return report;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measureMode(modeName: string, image: string, variants: string[], rounds: number): Promise<Run[]> {
  const mode = MODES.find((m) => m.name === modeName);
  if (!mode) throw new Error(`unknown mode ${modeName}`);
  const running = await mode.start(SERVICE_ENV, { monitoring: false });
  const runs: Run[] = [];
  try {
    await flipRun(running, image, 1);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        await apply(running.stack!, VARIANTS[variant]!);
        const alone = await flipRun(running, image, 1);
        const burst = await flipRun(running, image, FLIPS);
        const run = {
          variant,
          aloneMs: alone.lastReplyMs ?? 0,
          firstMs: burst.firstReplyMs ?? 0,
          lastMs: burst.lastReplyMs ?? 0,
          failed: burst.failed + alone.failed,
        };
        console.log(
          `${modeName} round ${round + 1} ${variant}: T ${run.aloneMs} ms, first ${run.firstMs} ms ` +
            `(× ${(run.firstMs / run.aloneMs).toFixed(2)}), last ${run.lastMs} ms, ${run.failed} failed`,
        );
        runs.push(run);
      }
    }
  } finally {
    await running.stop();
  }
  return runs;
}

function report(results: Record<string, Run[]>, variants: string[], image: string, startedAt: Date): string {
  const cores = availableParallelism();
  const lines = [
    `# First reply of ten flips by CPU priority, ${startedAt.toISOString().slice(0, 10)}`,
    '',
    `\`node --import tsx loadtest/bench/first-reply.ts\`: per round and variant, one flip of ${image} alone (T), ` +
      `then ${FLIPS} at once (k6 loadtest/flip.js), on one start of each mode; the variants are switched on the ` +
      'running containers (`docker update --cpu-shares`, `renice` of thread ids) and take turns, order reversed ' +
      `every other round. C = ${cores} (cores). Targets: first reply ≤ ${FIRST_TARGET} T, makespan ≤ ` +
      `${MAKESPAN_TARGET} × ⌈${FLIPS}/C⌉·T. Medians over the rounds; every round's ratio in brackets.`,
    '',
    `- **equal**: Docker's default, every container weight ${DEFAULT_SHARES}, every thread nice 0`,
    `- **weights**: nginx, api and Redis at cpu_shares ${INGEST_SHARES}, the flipping containers (service, worker) ` +
      `at ${DEFAULT_SHARES}: 4 to 1 when both want the CPU`,
    `- **nice**: in the flipping containers, each node process's main thread (the event loop: uploads, job ` +
      `transfers) at nice ${MAIN_THREAD_NICE}, its flip threads at 0`,
    '',
    `Machine: ${machineFacts()['CPU model']}, ${cores} cores; load average at the end ${loadAverage()}.`,
    '',
    '| mode | variant | T | first ÷ T | makespan ÷ ideal | failed |',
    '|---|---|---|---|---|---|',
  ];
  for (const [mode, runs] of Object.entries(results)) {
    for (const variant of variants) {
      const own = runs.filter((run) => run.variant === variant);
      const first = own.map((run) => run.firstMs / run.aloneMs);
      const makespan = own.map((run) => run.lastMs / idealMakespanMs(FLIPS, cores, run.aloneMs));
      const list = (values: number[]) =>
        `× ${median(values).toFixed(2)} [${values.map((v) => v.toFixed(2)).join(', ')}]`;
      lines.push(
        `| ${mode} | ${variant} | ${(median(own.map((run) => run.aloneMs)) / 1000).toFixed(2)} s | ${list(first)} | ` +
          `${list(makespan)} | ${own.reduce((sum, run) => sum + run.failed, 0)} |`,
      );
    }
  }
  return [...lines, ''].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const image = resolve(args.image);
  const variants = args.variants.split(',');
  for (const variant of variants) if (!VARIANTS[variant]) throw new Error(`unknown variant ${variant}`);
  const results: Record<string, Run[]> = {};
  for (const mode of args.modes.split(',')) {
    results[mode] = await measureMode(mode, image, variants, Number(args.rounds));
  }
  const text = report(results, variants, basename(image), startedAt);
  const outDir = resolve(args.out ?? join(REPO_ROOT, 'loadtest/results', startedAt.toISOString().slice(0, 10)));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'first-reply.md'), text);
  console.log(`\n${text}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
