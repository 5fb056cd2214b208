// The literal `ab -c C -t T` run, for parity with the second article, and the figures from its output.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface AbResult {
  command: string;
  completed: number;
  failed: number;
  /**
   * ab's classes of failed requests. Length: a body whose length differs from the first reply's, which ab
   * counts even for a 200 (our bodies carry the PID, so a restarted worker's longer PID counts).
   */
  failures: { connect: number; receive: number; length: number; exceptions: number };
  /** Non-2xx answers; ab counts them apart from "Failed requests". */
  non2xx: number;
  reqPerSec: number;
  /** ab's percentile table: percent → ms. */
  percentiles: Record<string, number>;
}

function figure(output: string, label: RegExp): number {
  const match = label.exec(output);
  return match ? Number(match[1]) : 0;
}

/** Runs ab with these arguments; its stdout, or an Error naming ab's own last word on what went wrong. */
async function ab(args: string[], timeoutMs: number): Promise<string> {
  const { stdout } = await promisify(execFile)('ab', args, {
    timeout: timeoutMs,
    maxBuffer: 4 * 1024 * 1024,
  }).catch((error: { stderr?: string; message: string }) => {
    // ab names the cause on its last stderr line, e.g. "apr_socket_recv: Connection reset by peer (104)".
    throw new Error(`ab ${args.join(' ')}: ${error.stderr?.trim().split('\n').pop() || error.message}`);
  });
  return stdout;
}

/**
 * Runs `ab -c <concurrency> -t <seconds> <url>` exactly as the article did (no keep-alive); with
 * continueOnError, `ab -r` as in its crash run (socket errors are counted, not fatal).
 */
export async function runAb(
  url: string,
  concurrency: number,
  seconds: number,
  { continueOnError = false } = {},
): Promise<AbResult> {
  const args = [...(continueOnError ? ['-r'] : []), '-c', String(concurrency), '-t', String(seconds), url];
  // ab's own socket timeout is 30 s; the extra minute only bounds a hung run.
  const stdout = await ab(args, (seconds + 60) * 1000);
  const percentiles: Record<string, number> = {};
  for (const match of stdout.matchAll(/^\s+(\d+)%\s+(\d+)/gm)) percentiles[match[1] as string] = Number(match[2]);
  return {
    command: `ab ${args.join(' ')}`,
    completed: figure(stdout, /^Complete requests:\s+(\d+)/m),
    failed: figure(stdout, /^Failed requests:\s+(\d+)/m),
    failures: {
      connect: figure(stdout, /Connect: (\d+)/),
      receive: figure(stdout, /Receive: (\d+)/),
      length: figure(stdout, /Length: (\d+)/),
      exceptions: figure(stdout, /Exceptions: (\d+)/),
    },
    non2xx: figure(stdout, /^Non-2xx responses:\s+(\d+)/m),
    reqPerSec: figure(stdout, /^Requests per second:\s+([\d.]+)/m),
    percentiles,
  };
}

/**
 * `ab -c 1 -n <requests> [-k] <url>`: one request at a time, each on a new connection as the article's ab ran,
 * or all on one with keep-alive. Resolves to ab's mean time per request in ms (its percentiles are whole ms).
 */
export async function abTimePerRequest(url: string, requests: number, { keepAlive = false } = {}): Promise<number> {
  const args = [...(keepAlive ? ['-k'] : []), '-c', '1', '-n', String(requests), url];
  const stdout = await ab(args, 60_000 + requests * 1000);
  const failed = figure(stdout, /^Failed requests:\s+(\d+)/m) + figure(stdout, /^Non-2xx responses:\s+(\d+)/m);
  if (failed > 0) throw new Error(`ab ${args.join(' ')}: ${failed} failed or non-2xx requests`);
  const mean = /^Time per request:\s+([\d.]+) \[ms\] \(mean\)$/m.exec(stdout)?.[1];
  if (mean === undefined) throw new Error(`ab ${args.join(' ')} printed no time per request`);
  return Number(mean);
}
