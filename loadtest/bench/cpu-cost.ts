// GET /cpu's cost per request against the second article's plain server doing its loop, measured in one run:
// `ab -c 1`, one request at a time, on a new connection each as the article's ab ran and on one kept alive
// (`-k`), alternating between the two servers round by round so both see the same machine load; ab's time per
// request and the CPU each server process spent per request (which other work on a shared machine disturbs
// far less than the wall clock); and the loop alone (cpu-loop.ts).
import { join } from 'node:path';
import { freePort } from '../../testkit/free-port';
import { abTimePerRequest } from './ab';
import { processTreeOf } from './cpu-accounting';
import { measureCpuLoop, type CpuLoop } from './cpu-loop';
import { REPO_ROOT } from './k6';
import { MODES } from './modes';
import { startServed } from './served-process';

export interface CostRatio {
  /** Median over the rounds of ab's mean ms per request. */
  serviceMs: number;
  articleMs: number;
  /** Median of the rounds' service ÷ article; the target is ≤ 1.10. */
  ratio: number;
  /** The rounds' ratios, smallest to largest: how noisy the machine was. */
  ratios: number[];
  /** CPU ms each server process spent per request over all rounds, and their ratio. */
  serviceCpuMs: number;
  articleCpuMs: number;
  cpuRatio: number;
}

export interface CpuCost {
  rounds: number;
  /** Requests per ab run. */
  requests: number;
  newConnections: CostRatio;
  keepAlive: CostRatio;
  loop: CpuLoop | { error: string };
}

const ROUNDS = 7;
// CPU time is read in clock ticks (10 ms): 100 requests of ~3 ms each take 30 ticks a run.
const REQUESTS = 100;
const WARMUP = 30;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface Series {
  service: number[];
  article: number[];
  cpu: { service: number; article: number };
}

function costRatio({ service, article, cpu }: Series): CostRatio {
  const ratios = service.map((ms, round) => ms / article[round]!).sort((a, b) => a - b);
  const perRequest = (seconds: number) => (seconds * 1000) / (ROUNDS * REQUESTS);
  return {
    serviceMs: median(service),
    articleMs: median(article),
    ratio: median(ratios),
    ratios,
    serviceCpuMs: perRequest(cpu.service),
    articleCpuMs: perRequest(cpu.article),
    cpuRatio: cpu.service / cpu.article,
  };
}

/** Starts the one-process service (default CPU_ITERATIONS, the article's 1e7) and the article's server. */
export async function measureCpuCost(env: Record<string, string>): Promise<CpuCost> {
  const standard = MODES.find((mode) => mode.name === 'standard')!;
  const service = await standard.start(env);
  try {
    const article = await startServed({
      command: process.execPath,
      args: [join(REPO_ROOT, 'loadtest/bench/article-server.js')],
      port: await freePort(),
      readyPath: '/',
    });
    try {
      const urls = { service: `${service.baseUrl}/cpu`, article: `${article.baseUrl}/` };
      const cpu = { service: processTreeOf(service.roots()[0]!), article: processTreeOf(article.pid) };
      for (const url of Object.values(urls)) await abTimePerRequest(url, WARMUP, { keepAlive: true });
      const series = (): Series => ({ service: [], article: [], cpu: { service: 0, article: 0 } });
      const times = { new: series(), kept: series() };
      for (let round = 0; round < ROUNDS; round++) {
        // Who goes first alternates too, so a drift in the machine's load favours neither.
        const order = round % 2 === 0 ? (['service', 'article'] as const) : (['article', 'service'] as const);
        for (const keepAlive of [false, true]) {
          for (const server of order) {
            const into = times[keepAlive ? 'kept' : 'new'];
            const before = cpu[server]();
            into[server].push(await abTimePerRequest(urls[server], REQUESTS, { keepAlive }));
            into.cpu[server] += cpu[server]() - before;
          }
        }
      }
      return {
        rounds: ROUNDS,
        requests: REQUESTS,
        newConnections: costRatio(times.new),
        keepAlive: costRatio(times.kept),
        loop: await measureCpuLoop().catch((error: unknown) => ({ error: String(error) })),
      };
    } finally {
      await article.stop();
    }
  } finally {
    await service.stop();
  }
}
