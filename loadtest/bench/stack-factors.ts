// `make bench-stack-factors`: where the compose stack loses against raw node:cluster on the CPU test, and how
// much each part costs. Every round runs the literal `ab -c 500 -t 10 /cpu` once against each variant, each
// started fresh, one after another; ratios are taken within a round (the machine is noisy) and their median
// printed, beside the CPU each part of the machine spent per completed request.
//   node --import tsx loadtest/bench/stack-factors.ts [--rounds 3] [--replicas 2,3] [--out dir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { docker } from '../../testkit/compose';
import { runAb } from './ab';
import {
  containerOf,
  cpuSpent,
  machineBusy,
  processesNamed,
  processTreeOf,
  sumOf,
  type CpuReading,
} from './cpu-accounting';
import { REPO_ROOT } from './k6';
import { loadAverage, machineFacts } from './machine';
import { composeStackMode, MODES, type RunningMode } from './modes';
import { childrenOf } from './process-tree';

const CLIENTS = 500;
const SECONDS = 10;
// As `make bench`: request logs off in every variant, so the comparison is of serving, not of log shipping.
const SERVICE_ENV = { LOG_LEVEL: 'warn' };

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    replicas: { type: 'string', default: `${availableParallelism()},3` },
    out: { type: 'string' },
  },
});

/** The parts of the machine a request's CPU is split into; `other` is whatever the machine spent besides. */
const PARTS = ['workers', 'balancer', 'health checks', 'nginx', 'docker-proxy', 'docker engine', 'other'] as const;
type Part = (typeof PARTS)[number];

interface Variant {
  name: string;
  description: string;
  start(): Promise<RunningMode>;
  /** Where ab sends its requests. */
  url(running: RunningMode): Promise<string>;
  parts(running: RunningMode): Promise<Partial<Record<Part, CpuReading>>>;
}

interface Run {
  reqPerSec: number;
  failed: number;
  msPerRequest: Record<Part, number>;
}

const cluster = MODES.find((mode) => mode.name === 'cluster')!;

const clusterVariant: Variant = {
  name: 'cluster',
  description: cluster.description,
  start: () => cluster.start(SERVICE_ENV),
  url: async (running) => `${running.baseUrl}/cpu`,
  async parts(running) {
    const [primary] = running.roots();
    const workers = sumOf(childrenOf(primary!).map(processTreeOf));
    const tree = processTreeOf(primary!);
    return { workers, balancer: () => tree() - workers() };
  },
};

/** Main process of every container of one compose service. */
async function mainPids(running: RunningMode, service: string): Promise<number[]> {
  const ids = await running.stack!.containerIds(service);
  return (await docker('inspect', '--format', '{{.State.Pid}}', ...ids)).split('\n').map(Number);
}

/**
 * A replica's container runs docker-init → pm2-runtime (PM2's daemon, which hands connections to its workers in
 * cluster mode) → the workers; Docker's health checks run in the same cgroup beside that tree.
 */
async function stackParts(running: RunningMode): Promise<Partial<Record<Part, CpuReading>>> {
  const inits = await mainPids(running, 'service');
  const daemons = inits.flatMap(childrenOf);
  const workers = sumOf(daemons.flatMap(childrenOf).map(processTreeOf));
  const trees = sumOf(inits.map(processTreeOf));
  const containers = sumOf(inits.map(containerOf));
  return {
    workers,
    balancer: () => trees() - workers(),
    'health checks': () => containers() - trees(),
    nginx: sumOf((await mainPids(running, 'nginx')).map(containerOf)),
    'docker-proxy': processesNamed(/^docker-proxy$/),
    'docker engine': processesNamed(/^(dockerd|containerd|containerd-shim)/),
  };
}

function stackVariant(replicas: number, viaContainerAddress: boolean): Variant {
  const mode = composeStackMode(replicas);
  return {
    name: `stack, ${replicas} replicas${viaContainerAddress ? ", nginx's container address" : ''}`,
    description: viaContainerAddress
      ? `${mode.description}; ab connects to nginx's address on the compose network, which skips Docker's ` +
        'published-port path (what the engine does with --userland-proxy=false)'
      : `${mode.description}; ab connects to nginx's published port on 127.0.0.1`,
    start: () => mode.start(SERVICE_ENV, { monitoring: false }),
    async url(running) {
      if (!viaContainerAddress) return `${running.baseUrl}/cpu`;
      const [nginx] = await running.stack!.containerIds('nginx');
      const address = await docker(
        'inspect',
        '--format',
        '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
        nginx!,
      );
      return `http://${address.split(' ')[0]}/cpu`;
    },
    parts: stackParts,
  };
}

async function measure(variant: Variant): Promise<Run> {
  const running = await variant.start();
  try {
    const url = await variant.url(running);
    const parts = await variant.parts(running);
    const [ab, spent] = await cpuSpent({ ...parts, machine: machineBusy }, () => runAb(url, CLIENTS, SECONDS));
    const requests = Math.max(1, ab.completed);
    const accounted = PARTS.reduce((sum, part) => sum + (spent[part] ?? 0), 0);
    const seconds = (part: Part): number => (part === 'other' ? (spent.machine ?? 0) - accounted : (spent[part] ?? 0));
    return {
      reqPerSec: ab.reqPerSec,
      failed: ab.failed,
      msPerRequest: Object.fromEntries(PARTS.map((part) => [part, (seconds(part) * 1000) / requests])) as Record<
        Part,
        number
      >,
    };
  } finally {
    await running.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function report(variants: Variant[], runs: Run[][], startedAt: Date): string {
  const clusterRuns = runs.map((round) => round[0]!);
  const rows = variants.map((variant, v) => {
    const own = runs.map((round) => round[v]!);
    const ratio = median(own.map((run, r) => run.reqPerSec / clusterRuns[r]!.reqPerSec));
    const ms = (part: Part): string => median(own.map((run) => run.msPerRequest[part])).toFixed(2);
    const total = median(own.map((run) => PARTS.reduce((sum, part) => sum + run.msPerRequest[part], 0)));
    return (
      `| ${variant.name} | ${median(own.map((run) => run.reqPerSec)).toFixed(1)} | × ${ratio.toFixed(2)} | ` +
      `${own.map((run) => run.failed).join(' / ')} | ${PARTS.map(ms).join(' | ')} | ${total.toFixed(2)} |`
    );
  });
  return [
    `# Stack ÷ raw node:cluster on the CPU test, ${startedAt.toISOString().slice(0, 10)}`,
    '',
    `\`ab -c ${CLIENTS} -t ${SECONDS}\` on \`GET /cpu\`, ${runs.length} rounds; every round starts each variant ` +
      'fresh and loads it in turn. req/s: median of the rounds; ÷ cluster: median of the ratios within a round. ' +
      'CPU per request: what each part of the machine spent during the run, divided by the completed requests ' +
      '(median of the rounds). The balancer is the process that hands connections to the workers: the ' +
      "node:cluster primary, or PM2's daemon in each replica. Other: the kernel and everything else on the machine.",
    '',
    `Machine: ${machineFacts()['CPU model']}, ${availableParallelism()} cores; load average at the end ${loadAverage()}.`,
    '',
    '| variant | req/s | ÷ cluster | failed | ' + PARTS.map((p) => `${p} ms`).join(' | ') + ' | total ms |',
    '|---|---|---|---|' + PARTS.map(() => '---|').join('') + '---|',
    ...rows,
    '',
    ...variants.map((variant) => `- **${variant.name}**: ${variant.description}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const replicas = args.replicas.split(',').map(Number);
  const variants = [clusterVariant, ...replicas.map((n) => stackVariant(n, false)), stackVariant(replicas[0]!, true)];
  const runs: Run[][] = [];
  for (let round = 1; round <= Number(args.rounds); round++) {
    const results: Run[] = [];
    for (const variant of variants) {
      const run = await measure(variant);
      console.log(`round ${round}: ${variant.name}: ${run.reqPerSec} req/s, ${run.failed} failed`);
      results.push(run);
    }
    runs.push(results);
  }
  const text = report(variants, runs, startedAt);
  const outDir = resolve(args.out ?? join(REPO_ROOT, 'loadtest/results', startedAt.toISOString().slice(0, 10)));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'stack-factors.md'), text);
  console.log(`\n${text}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
