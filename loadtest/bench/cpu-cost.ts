// GET /cpu's cost per request against the second article's plain server doing its loop, measured in one run:
// one request at a time, alternating between the two, so both see the same machine load.
import { join } from 'node:path';
import { freePort } from '../../testkit/free-port';
import { REPO_ROOT } from './k6';
import { MODES } from './modes';
import { startServed } from './served-process';

export interface CpuCost {
  requests: number;
  /** Median ms per request, one at a time. */
  serviceMs: number;
  articleMs: number;
  /** serviceMs ÷ articleMs; the target is ≤ 1.10. */
  ratio: number;
}

const WARMUP = 20;

async function timedGet(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: status ${response.status}`);
  return performance.now() - started;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Starts the one-process service (default CPU_ITERATIONS, the article's 1e7) and the article's server. */
export async function measureCpuCost(env: Record<string, string>, requests = 200): Promise<CpuCost> {
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
      const serviceMs: number[] = [];
      const articleMs: number[] = [];
      for (let i = 0; i < WARMUP + requests; i++) {
        const s = await timedGet(`${service.baseUrl}/cpu`);
        const a = await timedGet(`${article.baseUrl}/`);
        if (i < WARMUP) continue;
        serviceMs.push(s);
        articleMs.push(a);
      }
      const cost = { requests, serviceMs: median(serviceMs), articleMs: median(articleMs) };
      return { ...cost, ratio: cost.serviceMs / cost.articleMs };
    } finally {
      await article.stop();
    }
  } finally {
    await service.stop();
  }
}
