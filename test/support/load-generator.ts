import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { LoadReport } from './steady-load';

export interface LoadOptions {
  baseUrl: string;
  /** GET paths, taken in turn. */
  paths: string[];
  /** Requests in flight at once. */
  concurrency: number;
  /** Upper bound: the load stops then, or earlier on stop(). */
  durationMs: number;
  /** Pause of each client between requests: a steady, modest load on a small shared machine. */
  pauseMs: number;
  requestTimeoutMs: number;
}

/** steadyLoad's report, as JSON. */
export type LoadResult = Pick<LoadReport, 'sent' | 'failed' | 'resent' | 'failures'> & {
  /** Distinct X-Served-By values (hostname/pid): which worker processes answered. */
  processes: string[];
  statuses: Record<string, number>;
};

export interface LoadRun {
  /** Settles with the counts once the duration is over or stop() was called. */
  result: Promise<LoadResult>;
  /** Ends the load early; requests in flight still complete and count. */
  stop(): Promise<LoadResult>;
}

/** Starts steadyLoad (load-loop.ts) in a second process. */
export function startLoad(t: TestContext, options: LoadOptions): LoadRun {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load-loop.ts'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const result = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`load generator exited with ${String(code)}`);
    return JSON.parse(stdout) as LoadResult;
  });
  // A test that failed early leaves the load running: end it, its counts no longer matter.
  t.after(async () => {
    if (child.exitCode === null) child.kill();
    await result.catch(() => undefined);
  });
  return {
    result,
    stop: () => {
      child.kill('SIGINT');
      return result;
    },
  };
}
