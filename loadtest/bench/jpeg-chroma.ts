// What keeping a JPEG's chroma subsampling costs on the benchmark photo: each engine's output in the layouts it
// can write, its size, its encode time and its error against ImageMagick's own flip of the photo. Writes
// loadtest/results/<date>/jpeg-chroma.md.
//   node --import tsx loadtest/bench/jpeg-chroma.ts [--image path] [--quality 90] [--runs 3] [--out dir]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { FlipJimp } from '../../service/src/engines/jimp-formats';
import { turboJpeg } from '../../service/src/engines/turbo-jpeg';
import { flipBitmap } from '../../service/src/flip/flip-bitmap';
import { jpegSubsampling, type JpegSubsampling } from '../../service/src/flip/structure/jpeg';
import { IMAGEMAGICK } from '../../testkit/imagemagick';
import { REPO_ROOT } from './k6';
import { loadAverage, machineFacts } from './machine';

const { values: args } = parseArgs({
  options: {
    image: { type: 'string', default: '../shared/fixtures/photo-6.7mb.jpg' },
    quality: { type: 'string', default: '90' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});

interface Variant {
  engine: 'jimp' | 'sharp';
  subsampling: JpegSubsampling;
  note: string;
}

interface Measured extends Variant {
  factors: string;
  bytes: number;
  encodeMs: number;
  rmsePercent: number;
}

// Debian's ImageMagick 6 compare, from the package that installs IMAGEMAGICK.
const COMPARE = 'compare-im6.q16';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** ImageMagick's root mean square error between two images, as a percentage of the full range. */
function rmsePercent(reference: string, candidate: string): number {
  // compare exits 1 when the images differ, which they do; the metric goes to stderr either way.
  try {
    execFileSync(COMPARE, ['-metric', 'RMSE', reference, candidate, 'null:'], { stdio: 'pipe' });
    return 0;
  } catch (error) {
    const text = String((error as { stderr?: Buffer }).stderr ?? '');
    const normalised = /\(([\d.e-]+)\)/.exec(text)?.[1];
    if (normalised === undefined) throw new Error(`compare printed no metric: ${text}`);
    return Number(normalised) * 100;
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const imagePath = resolve(args.image);
  const input = readFileSync(imagePath);
  const quality = Number(args.quality);
  const runs = Number(args.runs);
  const own = jpegSubsampling(input);
  if (own === undefined) throw new Error(`${imagePath} has a chroma layout no encoder here writes`);
  const work = mkdtempSync(join(tmpdir(), 'jpeg-chroma-'));
  try {
    const reference = join(work, 'reference.ppm');
    execFileSync(IMAGEMAGICK, [imagePath, '-auto-orient', '-flip', reference]);

    // The Jimp engine's own pipeline: the WebAssembly decode and the flip run once; the encode per layout.
    const image = await FlipJimp.fromBuffer(input);
    flipBitmap(image.bitmap, 'vertical');
    const jpegFormat = turboJpeg();
    const encoders: Record<Variant['engine'], (subsampling: JpegSubsampling) => Promise<Buffer>> = {
      jimp: (subsampling) => jpegFormat.encode(image.bitmap, { quality, subsampling }),
      // sharp's whole pipeline (native decode, flip, encode), as the engine runs it.
      sharp: (subsampling) =>
        sharp(input)
          .autoOrient()
          .flip()
          .jpeg({ quality, optimiseCoding: false, chromaSubsampling: subsampling === '4:4:4' ? '4:4:4' : '4:2:0' })
          .toBuffer(),
    };
    const variants: Variant[] = [
      { engine: 'jimp', subsampling: '4:2:0', note: 'both engines before' },
      { engine: 'jimp', subsampling: own, note: 'the input’s: both engines now (sharp on flip threads)' },
      { engine: 'jimp', subsampling: '4:4:4', note: 'no subsampling' },
      { engine: 'sharp', subsampling: '4:2:0', note: 'sharp before' },
      { engine: 'sharp', subsampling: '4:4:4', note: 'the only layout libvips writes that keeps all of it' },
    ];
    const measured: Measured[] = [];
    for (const variant of variants) {
      const times: number[] = [];
      let output: Buffer = Buffer.alloc(0);
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        output = await encoders[variant.engine](variant.subsampling);
        times.push(performance.now() - started);
      }
      const file = join(work, `${variant.engine}-${variant.subsampling.replace(/:/g, '')}.jpg`);
      writeFileSync(file, output);
      const factors = execFileSync(IMAGEMAGICK, [file, '-format', '%[jpeg:sampling-factor]', 'info:-']).toString();
      const error = rmsePercent(reference, file);
      const row = { ...variant, factors, bytes: output.length, encodeMs: median(times), rmsePercent: error };
      console.log(`${variant.engine} ${variant.subsampling}: ${row.bytes} bytes, ${row.encodeMs.toFixed(0)} ms`);
      measured.push(row);
    }
    const text = report(basename(imagePath), input.length, own, quality, runs, measured, startedAt);
    const outDir = resolve(args.out ?? join(REPO_ROOT, 'loadtest/results', startedAt.toISOString().slice(0, 10)));
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'jpeg-chroma.md'), text);
    console.log(`\n${text}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function report(
  image: string,
  inputBytes: number,
  own: JpegSubsampling,
  quality: number,
  runs: number,
  rows: Measured[],
  startedAt: Date,
): string {
  const machine = machineFacts();
  return [
    `# JPEG chroma subsampling on ${image}, ${startedAt.toISOString().slice(0, 10)}`,
    '',
    `\`node --import tsx loadtest/bench/jpeg-chroma.ts\`: the photo (${(inputBytes / 1e6).toFixed(2)} MB, stored ` +
      `${own}) flipped vertically and encoded at quality ${quality} in each layout an engine can write. ` +
      `Encode: median of ${runs} runs (Jimp: the WebAssembly encode alone; sharp: its whole native pipeline). ` +
      'RMSE: ImageMagick `compare -metric RMSE` against ImageMagick’s own flip of the photo, % of full range.',
    '',
    `Machine: ${machine['CPU model']}, ${availableParallelism()} cores; load average at the end ${loadAverage()} ` +
      '(shared: read the times as ratios within the run).',
    '',
    '| engine | layout | sampling factors (ImageMagick) | bytes | encode | RMSE | |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.engine} | ${row.subsampling} | ${row.factors} | ${(row.bytes / 1e6).toFixed(2)} MB | ` +
        `${row.encodeMs.toFixed(0)} ms | ${row.rmsePercent.toFixed(3)} % | ${row.note} |`,
    ),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
