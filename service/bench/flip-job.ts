// npm run bench:job — the flip job on the benchmark photo, five ways in one run: the article's Jimp pipeline
// as written (seed), this service's Jimp and sharp engines in-process, and the same two over HTTP (one POST to
// a fresh one-process service, whose peak RSS is counted). Runs alternate so that machine
// noise spreads over all three; each run is a fresh process so peak RSS is per pipeline. Prints a Markdown
// table of medians and the ratios to the seed pipeline.
// Environment: BENCH_PHOTO (default ../shared/fixtures/photo-6.7mb.jpg), BENCH_RUNS (default 3),
// FLIP_JPEG_QUALITY (default: the service's).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';

const root = resolve(__dirname, '..', '..');
const config = loadConfig();
const env = { BENCH_PHOTO: join(root, '..', 'shared', 'fixtures', 'photo-6.7mb.jpg'), BENCH_RUNS: '3', ...process.env };
const photo = resolve(env.BENCH_PHOTO);
const runs = Number(env.BENCH_RUNS);
const pipelines = ['seed', 'jimp', 'sharp', 'jimp-http', 'sharp-http'] as const;
type Pipeline = (typeof pipelines)[number] | 'idle';

interface Run {
  pipeline: Pipeline;
  timings?: { totalMs: number; decodeMs?: number; flipMs?: number; encodeMs?: number };
  bytes?: number;
  peakRssMb: number;
}

function runOnce(pipeline: Pipeline): Run {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'flip-job-run.ts'), pipeline, photo, String(config.flip.jpegQuality)],
    { encoding: 'utf8', maxBuffer: 1024 * 1024, timeout: 120_000 },
  );
  return JSON.parse(output.trim().split('\n').pop()!) as Run;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function main(): void {
  if (!existsSync(photo)) throw new Error(`no benchmark photo at ${photo}: set BENCH_PHOTO`);
  if (!(runs >= 1)) throw new Error('BENCH_RUNS must be a whole number of at least 1');
  process.stderr.write(
    `photo ${photo} (${statSync(photo).size} bytes), ${runs} runs of each pipeline, JPEG quality ${config.flip.jpegQuality}\n`,
  );
  const idle = runOnce('idle');
  const results = new Map<Pipeline, Run[]>(pipelines.map((pipeline) => [pipeline, []]));
  for (let run = 1; run <= runs; run++) {
    for (const pipeline of pipelines) {
      const result = runOnce(pipeline);
      results.get(pipeline)!.push(result);
      process.stderr.write(
        `run ${run}/${runs} ${pipeline}: ${Math.round(result.timings!.totalMs)} ms, ${Math.round(result.peakRssMb)} MB\n`,
      );
    }
  }

  const summary = pipelines.map((pipeline) => {
    const all = results.get(pipeline)!;
    const stage = (name: 'totalMs' | 'decodeMs' | 'flipMs' | 'encodeMs') => {
      const values = all.map((run) => run.timings![name]).filter((value): value is number => value !== undefined);
      return values.length ? median(values) : undefined;
    };
    return {
      pipeline,
      total: stage('totalMs')!,
      decode: stage('decodeMs'),
      flip: stage('flipMs'),
      encode: stage('encodeMs'),
      bytes: all[0]!.bytes!,
      rss: median(all.map((run) => run.peakRssMb)),
    };
  });
  const seed = summary[0]!;
  const ms = (value: number | undefined) => (value === undefined ? '–' : String(Math.round(value)));
  const names = {
    seed: 'seed: Jimp.read → flip() → getBuffer (q100)',
    jimp: 'Jimp engine',
    sharp: 'sharp engine',
    'jimp-http': 'Jimp engine over HTTP',
    'sharp-http': 'sharp engine over HTTP',
  };
  const lines = [
    `| pipeline | decode ms | flip ms | encode ms | total ms | output bytes | peak RSS MB | speed-up vs seed | RSS vs seed |`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
    ...summary.map(
      (row) =>
        `| ${names[row.pipeline]} | ${ms(row.decode)} | ${ms(row.flip)} | ${ms(row.encode)} | ${ms(row.total)} | ${row.bytes} | ` +
        `${Math.round(row.rss)} | ${(seed.total / row.total).toFixed(1)}× | ${Math.round((100 * row.rss) / seed.rss)} % |`,
    ),
  ];
  const row = (pipeline: Pipeline) => summary.find((entry) => entry.pipeline === pipeline)!;
  const verdict = (name: string, pipeline: Pipeline, minSpeedUp: number, maxRss?: number) => {
    const speedUp = seed.total / row(pipeline).total;
    const rss = row(pipeline).rss / seed.rss;
    const met = speedUp >= minSpeedUp && (maxRss === undefined || rss <= maxRss);
    const rssTarget = maxRss === undefined ? '' : `, RSS ≤ ${maxRss * 100} %`;
    return `- ${name}: target ≥ ${minSpeedUp}×${rssTarget}: ${speedUp.toFixed(1)}×, ${Math.round(rss * 100)} % — ${met ? 'met' : 'NOT met'}`;
  };
  const targets = [
    verdict('Jimp engine in-process', 'jimp', 4, 0.5),
    verdict('Jimp engine over HTTP', 'jimp-http', 4, 0.5),
    verdict('sharp engine over HTTP', 'sharp-http', 20),
  ];
  process.stdout.write(
    `${lines.join('\n')}\n\nMedians of ${runs} alternating runs; a process that loads Jimp and flips nothing peaks at ${Math.round(idle.peakRssMb)} MB.\n\n${targets.join('\n')}\n`,
  );
}

main();
