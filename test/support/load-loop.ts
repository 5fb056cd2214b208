// A child process of load-generator.ts: steadyLoad from its own process, so the test process stays free to drive
// PM2 and the load keeps its own event loop. Prints one JSON LoadResult line on stdout when done.
import type { LoadOptions, LoadResult } from './load-generator';
import { steadyLoad } from './steady-load';

async function main({ baseUrl, paths, concurrency, durationMs, pauseMs, requestTimeoutMs }: LoadOptions) {
  const load = steadyLoad(
    baseUrl,
    paths.map((path) => ({ path })),
    { concurrency, pauseMs, maxDurationMs: durationMs, requestTimeoutMs },
  );
  // SIGINT from LoadRun.stop(): let the requests in flight finish, start no more.
  process.once('SIGINT', () => void load.stop());
  const { sent, failed, resent, failures, processes, statuses } = await load.finished;
  const result: LoadResult = {
    sent,
    failed,
    resent,
    failures,
    processes: [...processes].sort(),
    statuses: Object.fromEntries(statuses),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main(JSON.parse(process.argv[2]!) as LoadOptions);
