import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flipAxes } from '../../src/flip/flip-bitmap';
import { magick } from '../../../testkit/imagemagick';
import {
  decode,
  difference,
  encode,
  flipExpected,
  pattern,
  pngHeaderOnly,
  withExifOrientation,
} from '../../../testkit/images';
import { disposeService, leftoverFiles, startService, type ServiceProcess } from '../../../testkit/server-process';

async function postFlip(service: ServiceProcess, body: Buffer, contentType: string, query = '') {
  const response = await fetch(`${service.url}/flip${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** How many jobs reached a flip thread, whatever their outcome, from the process's own metrics. */
async function flipJobsRun(service: ServiceProcess): Promise<number> {
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  const counts = [...metrics.matchAll(/^flip_job_duration_seconds_count\{[^}]*\} (\d+)$/gm)];
  return counts.reduce((sum, match) => sum + Number(match[1]), 0);
}

function errorBody(bytes: Buffer): { error: { code: string; message: string }; requestId: string } {
  return JSON.parse(bytes.toString('utf8'));
}

for (const engine of ['jimp', 'sharp'] as const)
  describe(`POST /flip (FLIP_ENGINE=${engine})`, () => {
    let service: ServiceProcess;
    before(async () => {
      service = await startService({ FLIP_ENGINE: engine, FLIP_MAX_BYTES: '200000', FLIP_BACKLOG_MAX: '16' });
    });
    after(() => disposeService(service));

    // PNG, BMP, TIFF and GIF are lossless: exact (GIF keeps every colour of its palette). JPEG re-encodes lossily
    // (and sharp decodes with libjpeg-turbo, not jpeg-js): held to a tolerance. A wrong or missing flip of these
    // gradients differs by a mean of 40 levels or more, far outside it.
    const formats = [
      { mime: 'image/png', lossless: true },
      { mime: 'image/bmp', lossless: true },
      { mime: 'image/tiff', lossless: true },
      { mime: 'image/jpeg', lossless: false },
      { mime: 'image/gif', lossless: true },
    ] as const;
    for (const { mime, lossless } of formats) {
      for (const axis of flipAxes) {
        it(`flips ${mime} ${axis}, pixel by pixel ${lossless ? 'exactly' : 'within tolerance'} (odd size 37x23)`, async () => {
          const input = await encode(pattern(37, 23, mime === 'image/gif' ? 4 : 256), mime);
          const { response, bytes } = await postFlip(service, input, mime, `?axis=${axis}`);
          assert.equal(response.status, 200, bytes.toString());
          assert.equal(response.headers.get('content-type'), mime);
          const flipped = await decode(bytes);
          assert.deepEqual([flipped.width, flipped.height], [37, 23]);
          const diff = difference(flipped, flipExpected(await decode(input), axis));
          if (lossless) assert.deepEqual(diff, { max: 0, mean: 0 });
          else assert.ok(diff.mean < 4 && diff.max < 48, `drift too large: ${JSON.stringify(diff)}`);
        });
      }
    }

    it('defaults to a vertical flip', async () => {
      const source = pattern(9, 5);
      const { bytes } = await postFlip(service, await encode(source, 'image/png'), 'image/png');
      assert.deepEqual(difference(await decode(bytes), flipExpected(source, 'vertical')).max, 0);
    });

    it('applies EXIF orientation before flipping, as Jimp does, and returns upright pixels', async () => {
      const input = await encode(pattern(40, 20), 'image/jpeg');
      const decodedInput = await decode(input);
      // Orientation 6: the stored pixels must be turned 90° clockwise to display.
      const { response, bytes } = await postFlip(service, withExifOrientation(input, 6), 'image/jpeg');
      assert.equal(response.status, 200);
      const flipped = await decode(bytes);
      assert.deepEqual([flipped.width, flipped.height], [20, 40]);
      const rotated = { width: 20, height: 40, data: Buffer.alloc(decodedInput.data.length) };
      for (let y = 0; y < 40; y++) {
        for (let x = 0; x < 20; x++) {
          const from = ((20 - 1 - x) * 40 + y) * 4;
          decodedInput.data.copy(rotated.data, (y * 20 + x) * 4, from, from + 4);
        }
      }
      const diff = difference(flipped, flipExpected(rotated, 'vertical'));
      assert.ok(diff.mean < 4, `not the rotated-then-flipped image: ${JSON.stringify(diff)}`);
    });

    it('keeps the chroma resolution of a turned JPEG: 4:2:2 stored, a quarter turn, 4:4:0 upright', async () => {
      const stored = readFileSync(join(__dirname, '..', 'corpus', 'jpeg-sampling-422.jpg'));
      const { response, bytes } = await postFlip(service, withExifOrientation(stored, 6), 'image/jpeg');
      assert.equal(response.status, 200);
      const factors = magick(['jpg:-', '-format', '%[jpeg:sampling-factor] %wx%h', 'info:-'], bytes).toString();
      assert.equal(factors, '1x2,1x1,1x1 32x64');
    });

    it('runs the demo job on the bundled sample when the body is empty', async () => {
      const response = await fetch(`${service.url}/flip`, { method: 'POST' });
      assert.equal(response.status, 200);
      const report = (await response.json()) as Record<string, unknown>;
      assert.equal(report.pid, service.child.pid);
      assert.equal(typeof report.hostname, 'string');
      assert.ok(typeof report.ms === 'number' && report.ms >= 0);
      assert.ok(typeof report.bytes === 'number' && report.bytes > 1000);
    });

    it('refuses a type it does not handle with 415', async () => {
      const { response, bytes } = await postFlip(service, Buffer.from('hello'), 'text/plain');
      assert.equal(response.status, 415);
      assert.equal(errorBody(bytes).error.code, 'unsupported_media_type');
    });

    it('refuses bytes that are not the declared type with 400', async () => {
      const png = await encode(pattern(8, 8), 'image/png');
      const { response, bytes } = await postFlip(service, png, 'image/jpeg');
      assert.equal(response.status, 400);
      assert.equal(errorBody(bytes).error.code, 'invalid_image');
    });

    it('skips up to 64 KiB before a JPEG, but not an image of another type nor more bytes', async () => {
      const png = await encode(pattern(8, 8), 'image/png');
      const jpeg = await encode(pattern(8, 8), 'image/jpeg');
      const cases = [
        [Buffer.concat([Buffer.alloc(64 * 1024, 0x20), jpeg]), 200, undefined],
        [Buffer.concat([Buffer.alloc(64 * 1024 + 1, 0x20), jpeg]), 400, /does not start with SOI/],
        [Buffer.concat([png, jpeg]), 400, /not the declared/],
      ] as const;
      for (const [body, status, message] of cases) {
        const { response, bytes } = await postFlip(service, body, 'image/jpeg');
        assert.equal(response.status, status, bytes.toString());
        if (message !== undefined) assert.match(errorBody(bytes).error.message, message);
      }
    });

    it('refuses garbage and a truncated JPEG with 400 invalid_image', async () => {
      const jpeg = await encode(pattern(64, 64), 'image/jpeg');
      for (const body of [Buffer.from('not an image at all'), jpeg.subarray(0, Math.floor(jpeg.length / 2))]) {
        const { response, bytes } = await postFlip(service, body, 'image/jpeg');
        assert.equal(response.status, 400);
        const parsed = errorBody(bytes);
        assert.equal(parsed.error.code, 'invalid_image');
        assert.equal(parsed.requestId, response.headers.get('x-request-id'));
      }
    });

    it('refuses a pixel-bomb header with 422 before decoding anything', async () => {
      const bomb = pngHeaderOnly(100_000, 100_000);
      assert.ok(bomb.length < 40);
      const jobsBefore = await flipJobsRun(service);
      const { response, bytes } = await postFlip(service, bomb, 'image/png');
      assert.equal(response.status, 422);
      assert.equal(errorBody(bytes).error.code, 'too_many_pixels');
      assert.equal(await flipJobsRun(service), jobsBefore, 'the bomb reached a flip thread');
    });

    it('refuses a body over FLIP_MAX_BYTES announced by Content-Length with 413', async () => {
      const { response, bytes } = await postFlip(service, Buffer.alloc(300_000, 1), 'image/png');
      assert.equal(response.status, 413);
      assert.equal(errorBody(bytes).error.code, 'payload_too_large');
    });

    it('refuses a chunked body with 413 while it streams, without waiting for its end', async () => {
      const url = new URL(`${service.url}/flip`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: '/flip',
          method: 'POST',
          headers: { 'content-type': 'image/png' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode!);
          req.destroy();
        });
        req.on('error', reject);
        // 320 KiB, over the 200 kB limit, and then the body neither ends nor goes on: only a server that counts
        // while streaming can answer. (Writing on after the answer would race the server's close.)
        for (let chunk = 0; chunk < 5; chunk++) req.write(Buffer.alloc(64 * 1024));
      });
      assert.equal(status, 413);
    });

    it('refuses an unknown axis and a quality outside 1–100 with 400', async () => {
      const png = await encode(pattern(4, 4), 'image/png');
      for (const query of ['?axis=diagonal', '?quality=0', '?quality=101', '?quality=high', '?quality=9.5']) {
        const { response, bytes } = await postFlip(service, png, 'image/png', query);
        assert.equal(response.status, 400, query);
        assert.equal(errorBody(bytes).error.code, 'invalid_parameter');
      }
    });

    it('encodes JPEG at the requested quality: a higher quality gives a larger file', async () => {
      const input = await encode(pattern(200, 150), 'image/jpeg');
      const sizes = [];
      for (const quality of [30, 60, 95]) {
        const { response, bytes } = await postFlip(service, input, 'image/jpeg', `?quality=${quality}`);
        assert.equal(response.status, 200);
        sizes.push(bytes.length);
      }
      assert.ok(sizes[0]! < sizes[1]! && sizes[1]! < sizes[2]!, `sizes by quality: ${sizes.join(', ')}`);
    });

    it('leaves no temp file behind', () => {
      assert.deepEqual(
        leftoverFiles(service.tmp).filter((name) => name.includes('job-')),
        [],
      );
    });
  });

describe('FLIP_SAMPLE_IMAGE', () => {
  let service: ServiceProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'flipstack-sample-'));
  after(async () => {
    await disposeService(service);
    rmSync(dir, { recursive: true, force: true });
  });

  it('points the demo job at another file', async () => {
    const sample = join(dir, 'other.png');
    writeFileSync(sample, await encode(pattern(300, 200), 'image/png'));
    service = await startService({ FLIP_SAMPLE_IMAGE: sample });
    const report = (await (await fetch(`${service.url}/flip`, { method: 'POST' })).json()) as { bytes: number };
    const flipped = await encode(flipExpected(pattern(300, 200), 'vertical'), 'image/png');
    assert.equal(report.bytes, flipped.length);
  });
});
