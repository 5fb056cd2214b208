import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { flipDistance, gifTiming } from '../support/flip-distance';
import { decodeWithImageMagick, type Frames } from '../../../testkit/imagemagick';
import { disposeService, leftoverFiles, startService, type ServiceProcess } from '../../../testkit/server-process';
import { residentMb, timedFlip } from '../support/timed-flip';

// Real-world files from Debian packages (odd variants, broken files, fuzzer finds, documentation photos), which
// deploy/real-world-images.sh unpacks here; `make test-real-images` runs both.
const cacheDir = join(__dirname, '..', '..', '..', '.cache', 'real-world-images');

const mimeByExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};
const GIF_BACKGROUND = {
  kind: 'pixels' as const,
  reason: 'screen areas no frame covers: ImageMagick paints the background colour, which is not kept',
};
const extension = (file: string) => file.split('.').pop()!.toLowerCase();
const magickFormat = (file: string) => ({ jpeg: 'jpg', tif: 'tiff' })[extension(file)] ?? extension(file);

// One image may hold a thread this long (the default is a third of the job deadline: 20 s); an answer may take
// that plus room for a thread to be replaced on a busy machine. The slowest here take about 0.6 s.
const DECODE_BUDGET_MS = 5000;
const SLOWEST_ACCEPTED_MS = DECODE_BUDGET_MS + 3000;
// Resident memory may settle this far above its level after the warm-up: allocator pages kept for reuse, and
// each flip thread's WebAssembly heap, which keeps the size of the largest JPEG it has coded (turbo-jpeg.ts; a
// 13-megapixel photo here). sharp has flip threads too: that photo is 4:2:2, which libvips cannot write.
const RSS_SLACK_MB = { jimp: 300, sharp: 300 };
// Lossless formats flip exactly, but for the documented conversions to 8 bits (16-bit PNG on Jimp, TIFF colour
// maps): one level. JPEG is re-encoded at the default quality in its own chroma subsampling: a mean error up to
// about 8 levels here.
const LOSSLESS_TOLERANCE = 1;
const JPEG_MEAN_TOLERANCE = 10;

type ProblemKind = 'shape' | 'pixels' | 'timing';

// Files whose pixels or timing differ from ImageMagick's view for a reason the README names: reported, not
// failed. Any other difference of theirs (a size, a frame count) still fails.
const KNOWN_DIFFERENCES: Record<string, { kind: ProblemKind; reason: string }> = {
  'dispose-restore-background.gif': GIF_BACKGROUND,
  'image-inside-bg.gif': GIF_BACKGROUND,
  'images-combine.gif': GIF_BACKGROUND,
  'missing-pixels.gif': GIF_BACKGROUND,
  'animation-multi-image.gif': {
    kind: 'timing',
    reason: 'images without a graphic control extension get one with delay 0 (gifwrap)',
  },
  'valid.1.png': {
    kind: 'pixels',
    reason: 'a damaged PNG (randomly-modified): libpng and pngjs decode it, ImageMagick differently',
  },
};

function imageFiles(): string[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir, { recursive: true })
    .map(String)
    .filter((file) => extension(file) in mimeByExtension)
    .sort();
}

// ImageMagick's decoding of each input, once for both engines; undefined where ImageMagick cannot read it.
const references = new Map<string, Frames | undefined>();
function reference(file: string, bytes: Buffer): Frames | undefined {
  if (!references.has(file)) {
    const format = magickFormat(file);
    let frames: Frames | undefined;
    try {
      frames = decodeWithImageMagick(bytes, format, { autoOrient: format === 'jpg' });
    } catch {
      frames = undefined;
    }
    references.set(file, frames);
  }
  return references.get(file);
}

/** What is wrong with a 200's picture, compared with ImageMagick's decoding of the input, flipped here. */
function pictureProblem(
  file: string,
  mime: string,
  input: Buffer,
  expected: Frames,
  output: Buffer,
): { kind: ProblemKind; text: string } | undefined {
  let actual: Frames;
  try {
    actual = decodeWithImageMagick(output, magickFormat(file));
  } catch (error) {
    return { kind: 'shape', text: `ImageMagick cannot read the output: ${(error as Error).message.split('\n')[0]}` };
  }
  const distance = flipDistance(expected, actual, 'vertical');
  if (typeof distance === 'string') return { kind: 'shape', text: distance };
  const within = mime === 'image/jpeg' ? distance.mean <= JPEG_MEAN_TOLERANCE : distance.max <= LOSSLESS_TOLERANCE;
  if (!within) return { kind: 'pixels', text: `off by up to ${distance.max}, mean ${distance.mean.toFixed(2)}` };
  if (mime === 'image/gif' && JSON.stringify(gifTiming(output)) !== JSON.stringify(gifTiming(input))) {
    return { kind: 'timing', text: "the animation's timing changed" };
  }
  return undefined;
}

const files = imageFiles();

for (const engine of ['jimp', 'sharp'] as const)
  describe(`real-world images (FLIP_ENGINE=${engine})`, () => {
    let service: ServiceProcess;
    before(async () => {
      assert.ok(files.length > 300, `only ${files.length} files in ${cacheDir}: run deploy/real-world-images.sh`);
      service = await startService({ FLIP_ENGINE: engine, FLIP_DECODE_BUDGET_MS: String(DECODE_BUDGET_MS) });
    });
    after(() => disposeService(service));

    it('answers every file with 200 or 4xx, promptly, in one process; each 200 of a file ImageMagick reads is the picture it sees', async (t) => {
      const pid = service.child.pid!;
      const warmUp = files.filter((file) => /test-image\.png|bug775218\.jpg|all-blues\.gif/.test(file));
      for (const file of warmUp)
        await timedFlip(service, readFileSync(join(cacheDir, file)), mimeByExtension[extension(file)]!);
      await sleep(500);
      const idleMb = residentMb(pid);

      const counts = new Map<string, number>();
      const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
      const problems: string[] = [];
      const knownDifferences: string[] = [];
      const unverified: string[] = [];
      let slowestMs = 0;
      for (const file of files) {
        const mime = mimeByExtension[extension(file)]!;
        const input = readFileSync(join(cacheDir, file));
        const { status, code, ms, output } = await timedFlip(service, input, mime);
        count(`${mime.slice(6)} ${status} ${code}`);
        slowestMs = Math.max(slowestMs, ms);
        if (status >= 500) problems.push(`${file}: ${status} ${code}`);
        if (ms > SLOWEST_ACCEPTED_MS) problems.push(`${file}: ${Math.round(ms)} ms`);
        if (status !== 200) continue;
        const expected = reference(file, input);
        if (expected === undefined) {
          unverified.push(file);
          continue;
        }
        const problem = pictureProblem(file, mime, input, expected, output);
        if (problem === undefined) continue;
        const known = KNOWN_DIFFERENCES[basename(file)];
        if (known?.kind === problem.kind) knownDifferences.push(`${file}: ${problem.text} (${known.reason})`);
        else problems.push(`${file}: ${problem.text}`);
      }
      await sleep(1000);
      const afterMb = residentMb(pid);
      t.diagnostic(`${files.length} files: ${JSON.stringify(Object.fromEntries([...counts].sort()))}`);
      t.diagnostic(
        `slowest answer ${Math.round(slowestMs)} ms; resident memory ${idleMb.toFixed(0)} MB after warm-up, ${afterMb.toFixed(0)} MB after the run`,
      );
      for (const file of unverified) t.diagnostic(`200, not checked: ImageMagick cannot read the input: ${file}`);
      for (const difference of knownDifferences) t.diagnostic(`known difference: ${difference}`);
      for (const problem of problems) t.diagnostic(`problem: ${problem}`);

      assert.deepEqual(problems, []);
      assert.equal(service.child.exitCode, null, 'the service exited');
      const health = await fetch(`${service.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.headers.get('x-served-by')?.split('/')[1], String(pid), 'answered by the process started');
      assert.deepEqual(
        leftoverFiles(service.tmp).filter((entry) => basename(entry).startsWith('job-')),
        [],
      );
      assert.ok(afterMb < idleMb + RSS_SLACK_MB[engine], `resident memory grew from ${idleMb} MB to ${afterMb} MB`);
    });
  });
