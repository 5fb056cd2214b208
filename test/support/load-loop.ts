// A child process of load-generator.ts: steady GET load from its own process, so the test process stays free to
// drive PM2 and the load keeps its own event loop. Prints one JSON LoadResult line on stdout when done.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadOptions, LoadResult } from './load-generator';

async function main(options: LoadOptions): Promise<void> {
  const result: LoadResult = { requests: 0, failures: 0, statuses: {}, failureSamples: [], servedBy: [] };
  const servedBy = new Set<string>();
  let stopAt = Date.now() + options.durationMs;
  // SIGINT from LoadRun.stop(): let the requests in flight finish, start no more.
  process.once('SIGINT', () => (stopAt = 0));
  let next = 0;

  const client = async () => {
    while (Date.now() < stopAt) {
      const path = options.paths[next++ % options.paths.length]!;
      result.requests++;
      try {
        const response = await fetch(`${options.baseUrl}${path}`, {
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        });
        await response.arrayBuffer();
        result.statuses[response.status] = (result.statuses[response.status] ?? 0) + 1;
        servedBy.add(response.headers.get('x-served-by') ?? 'unknown');
        if (response.status !== 200) fail(`${path}: ${response.status}`);
      } catch (error) {
        fail(`${path}: ${String(error)}`);
      }
      await sleep(options.pauseMs);
    }
  };
  const fail = (sample: string) => {
    result.failures++;
    if (result.failureSamples.length < 10) result.failureSamples.push(sample);
  };

  await Promise.all(Array.from({ length: options.concurrency }, client));
  result.servedBy = [...servedBy].sort();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main(JSON.parse(process.argv[2]!) as LoadOptions);
