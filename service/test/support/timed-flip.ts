import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ServiceProcess } from '../../../testkit/server-process';

export interface TimedFlip {
  status: number;
  /** `ok` for a 200, else the JSON error's code. */
  code: string;
  ms: number;
  /** The flipped image of a 200, empty otherwise. */
  output: Buffer;
}

/** POST /flip with a timer: what a hostile-input run records of each answer. */
export async function timedFlip(
  service: ServiceProcess,
  body: Buffer,
  mime: string,
  axis = 'vertical',
): Promise<TimedFlip> {
  const started = performance.now();
  const response = await fetch(`${service.url}/flip?axis=${axis}`, {
    method: 'POST',
    headers: { 'content-type': mime },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const ok = response.status === 200;
  const code = ok ? 'ok' : (JSON.parse(bytes.toString()) as { error: { code: string } }).error.code;
  return {
    status: response.status,
    code,
    ms: performance.now() - started,
    output: ok ? bytes : Buffer.alloc(0),
  };
}

/** The process's resident memory (VmRSS), in MB. */
export function residentMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return Number(line) / 1024;
}
