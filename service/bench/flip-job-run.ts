// One flip of one image by one pipeline, in a process of its own so its peak RSS is its own. Prints a JSON
// line; flip-job.ts runs it. Usage: tsx flip-job-run.ts <pipeline> <image.jpg> <quality>
// `idle` loads Jimp and flips nothing: the baseline every pipeline's peak RSS includes. `jimp-http` and
// `sharp-http` POST the image to a fresh one-process service (service/dist/server.js) and report its peak RSS.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Jimp } from 'jimp';
import { ownedBytes, type FlipTask, type FlipTimings } from '../src/flip/flip-task';
import { disposeService, startService } from '../../testkit/server-process';

/** The first article's job as written: Jimp.read, flip({vertical: true}), getBuffer with Jimp's defaults. */
async function seedPipeline(input: Buffer): Promise<{ timings: FlipTimings; bytes: number }> {
  const started = performance.now();
  const image = await Jimp.read(input);
  const decoded = performance.now();
  image.flip({ horizontal: false, vertical: true });
  const flipped = performance.now();
  const output = await image.getBuffer('image/jpeg');
  const done = performance.now();
  return {
    timings: {
      totalMs: done - started,
      decodeMs: decoded - started,
      flipMs: flipped - decoded,
      encodeMs: done - flipped,
    },
    bytes: output.length,
  };
}

/** Peak resident memory of another process so far, in MB (Linux's VmHWM). */
function peakRssMbOf(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

/** Send → last byte of one POST /flip of the image to a fresh service, after a demo flip has warmed it. */
async function overHttp(engine: 'jimp' | 'sharp', input: Buffer, quality: string) {
  const service = await startService({ FLIP_ENGINE: engine });
  try {
    await (await fetch(`${service.url}/flip`, { method: 'POST' })).arrayBuffer();
    const started = performance.now();
    const response = await fetch(`${service.url}/flip?quality=${quality}`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: input,
    });
    const output = await response.arrayBuffer();
    const totalMs = performance.now() - started;
    if (response.status !== 200) throw new Error(`POST /flip: ${response.status} ${Buffer.from(output).toString()}`);
    return { timings: { totalMs }, bytes: output.byteLength, peakRssMb: peakRssMbOf(service.child.pid!) };
  } finally {
    await disposeService(service);
  }
}

async function main(): Promise<void> {
  const [pipeline, path, quality] = process.argv.slice(2);
  const input = await readFile(path!);
  const task: FlipTask = {
    input: ownedBytes(input),
    mime: 'image/jpeg',
    axis: 'vertical',
    maxPixels: 40_000_000,
    quality: Number(quality),
  };
  if (pipeline === 'jimp-http' || pipeline === 'sharp-http') {
    const result = await overHttp(pipeline === 'jimp-http' ? 'jimp' : 'sharp', input, quality!);
    process.stdout.write(`${JSON.stringify({ pipeline, ...result })}\n`);
    return;
  }
  let result: { timings: FlipTimings; bytes: number } | undefined;
  if (pipeline === 'seed') result = await seedPipeline(input);
  if (pipeline === 'jimp' || pipeline === 'sharp') {
    // Each child loads only its own engine, so libvips is not counted in the Jimp pipelines' memory.
    const flip =
      pipeline === 'jimp'
        ? (await import('../src/engines/jimp-flip.js')).flipWithJimp
        : (await import('../src/engines/sharp-flip.js')).flipWithSharp;
    const outcome = await flip(task);
    if (!outcome.ok) throw new Error(outcome.message);
    result = { timings: outcome.timings, bytes: outcome.output.byteLength };
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ pipeline, ...result, peakRssMb })}\n`);
}

void main();
