// What one bench run measured, per mode; written to results.json and rendered by report.ts.
import type { AbResult } from './ab';
import type { CpuCost } from './cpu-cost';
import type { FlipRequest } from './flip-timeline';
import type { ModeName } from './modes';

export interface FlipFigures {
  exitCode: number;
  /** T for this mode: one flip alone through it, warm. */
  aloneMs: number;
  requests: number;
  failed: number;
  firstReplyMs: number;
  lastReplyMs: number;
  distinctServers: number;
  timeline: FlipRequest[];
  peakRssBytes: number;
}

export interface CpuFigures {
  exitCode: number;
  requests: number;
  failed: number;
  reqPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  distinctServers: number;
  /** The literal ab run, or why it failed. */
  ab: AbResult | { error: string };
  peakRssBytes: number;
}

/** The second article's crash run against the stack, workers exiting at random within crashAfterMsMax. */
export interface CrashFigures {
  crashAfterMsMax: number;
  /** The literal `ab -r -c … -t …`, or why it failed. */
  ab: AbResult | { error: string };
  k6: { exitCode: number; requests: number; failed: number; reqPerSec: number };
}

export interface ModeResult {
  name: ModeName;
  description: string;
  /** Flips that can run at once on this machine: min(processes × threads, cores). */
  concurrency: number;
  skipped?: string;
  error?: string;
  flip?: FlipFigures;
  cpu?: CpuFigures;
}

export interface BenchResults {
  startedAt: string;
  durationMs: number;
  image: { name: string; bytes: number };
  /** One flip alone through the standard (one-process) mode: the articles' "one flip". */
  flipMs?: number | undefined;
  flips: number;
  cpu: { vus: number; seconds: number };
  /** GET /cpu against the article's plain server, or why it could not be measured. */
  cpuCost?: CpuCost | { error: string };
  serviceEnv: Record<string, string>;
  crash?: CrashFigures | { skipped: string };
  machine: Record<string, string>;
  modes: ModeResult[];
}

/** The ideal makespan of `flips` equal jobs on `concurrency` slots, each taking flipMs. */
export function idealMakespanMs(flips: number, concurrency: number, flipMs: number): number {
  return Math.ceil(flips / concurrency) * flipMs;
}
