import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { flipJob, type FlipOptions } from '../flip/flip-job';
import type { FlipScheduler } from '../flip/flip-scheduler';
import { identity } from '../process/identity';
import type { TempDir } from '../process/temp-dir';

export interface DemoFlipReport {
  pid: number;
  hostname: string;
  ms: number;
  bytes: number;
}

/** The first article's job, file for file: copy the sample to a fresh temp dir, flip it, write it, delete all. */
export async function demoFlip(
  scheduler: FlipScheduler,
  tempDir: TempDir,
  sampleImage: string,
  options: FlipOptions,
): Promise<DemoFlipReport> {
  const started = performance.now();
  const bytes = await tempDir.withJobDir(async (dir) => {
    const copy = join(dir, basename(sampleImage));
    await copyFile(sampleImage, copy);
    const { output } = await flipJob(scheduler, await readFile(copy), options);
    await writeFile(join(dir, `flipped-${basename(sampleImage)}`), output);
    return output.byteLength;
  });
  return { ...identity, ms: Math.round(performance.now() - started), bytes };
}
