// Runs a loadtest/*.js script with the real k6 and returns the report its handleSummary wrote.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');

/** k6 from PATH, else the one deploy/install-k6.sh built into .cache/bin. */
export function k6Binary(): string {
  const cached = join(REPO_ROOT, '.cache/bin/k6');
  const onPath = (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, 'k6')));
  return onPath || !existsSync(cached) ? 'k6' : cached;
}

/** The figures a script's handleSummary writes under "report" (loadtest/lib/summary.js and the scripts). */
export interface K6Report {
  requests: number;
  failed: number;
  servers: { server: string; replies: number; ok: number }[];
  thresholds: { metric: string; expression: string; ok: boolean }[];
  /** cpu.js, crash.js */
  reqPerSec?: number;
  percentiles?: { p: number; ms: number }[];
  /** flip.js */
  firstReplyMs?: number;
  lastReplyMs?: number;
  /** jobs.js */
  jobsCompleted?: number;
  jobsFailed?: number;
  firstCompletionMs?: number;
  lastCompletionMs?: number;
}

/** k6's own summary data (handleSummary's argument), as far as the tests read it. */
export interface K6Data {
  root_group: { checks: { name: string; passes: number; fails: number }[] };
  metrics: Record<string, { values: Record<string, number> }>;
}

export interface K6Result {
  exitCode: number;
  report: K6Report;
  data: K6Data;
  /** k6's output (summary text, console lines), for error messages and logs. */
  output: string;
}

export interface K6Options {
  script: 'flip' | 'cpu' | 'crash' | 'jobs';
  env: Record<string, string>;
  /** Kill k6 after this long (the runs are bounded by their own options; this is a safety net). */
  timeoutMs: number;
  /** Also write every sample as NDJSON here (k6 --out json). */
  rawOut?: string | undefined;
  /** Lines of output as they come, e.g. to print progress. */
  onLine?: (line: string) => void;
}

/** Runs k6; a threshold failure is exit code 99 and still returns the report. */
export async function runK6(options: K6Options): Promise<K6Result> {
  const summaryDir = mkdtempSync(join(tmpdir(), `flipstack-k6-${options.script}-`));
  const args = ['run', '--quiet', '--no-color'];
  for (const [name, value] of Object.entries({ ...options.env, SUMMARY_DIR: summaryDir }))
    args.push('-e', `${name}=${value}`);
  if (options.rawOut) args.push('--out', `json=${options.rawOut}`);
  args.push(join(REPO_ROOT, 'loadtest', `${options.script}.js`));

  const child = spawn(k6Binary(), args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let partial = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onLine?.(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exitCode = await new Promise<number>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  }).finally(() => clearTimeout(timer));

  try {
    const summary = JSON.parse(readFileSync(join(summaryDir, `${options.script}-summary.json`), 'utf8')) as {
      report: K6Report;
      k6: K6Data;
    };
    return { exitCode, report: summary.report, data: summary.k6, output };
  } catch {
    throw new Error(`k6 ${options.script}.js (exit ${exitCode}) wrote no summary:\n${output.slice(-4000)}`);
  } finally {
    rmSync(summaryDir, { recursive: true, force: true });
  }
}
