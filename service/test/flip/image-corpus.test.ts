import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlipAxis } from '../../src/flip/flip-bitmap';
import { decodeWithImageMagick, magick, type Frames } from '../support/imagemagick';
import { flipExpected } from '../support/images';
import type { CorpusEntry } from '../support/make-image-corpus';
import { disposeService, startService, type ServiceProcess } from '../support/server-process';

const corpusDir = join(__dirname, '..', 'corpus');
const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as CorpusEntry[];

const magickFormat = (entry: CorpusEntry) => entry.file.split('.').pop()!;

/** Largest difference over every channel, alpha included, of two frames of one size. */
function largestDifference(a: Buffer, b: Buffer): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function flipFrames(source: Frames, axis: FlipAxis): Buffer[] {
  return source.frames.map((data) => flipExpected({ width: source.width, height: source.height, data }, axis).data);
}

/** The animation's timing: each frame's delay and disposal as ImageMagick reads them, and the loop count. */
function gifTiming(bytes: Buffer) {
  const frames = magick(['gif:-', '-format', '%T %D|', 'info:-'], bytes).toString();
  const netscape = bytes.indexOf('NETSCAPE2.0', 0, 'latin1');
  return { frames, loops: netscape < 0 ? 'once' : bytes.readUInt16LE(netscape + 13) };
}

// Every file of the committed corpus (service/test/support/make-image-corpus.ts), on both engines: a valid
// variant flips to exactly the picture ImageMagick decodes, flipped (JPEG within a codec tolerance); every
// other file is refused with the code the manifest names.
for (const engine of ['jimp', 'sharp'] as const)
  describe(`the image corpus (FLIP_ENGINE=${engine})`, () => {
    let service: ServiceProcess;
    before(async () => {
      service = await startService({ FLIP_ENGINE: engine, FLIP_DECODE_BUDGET_MS: '3000' });
    });
    after(() => disposeService(service));

    for (const entry of manifest) {
      const expect = (engine === 'sharp' ? entry.sharp : undefined) ?? entry.expect;
      const axes: FlipAxis[] = expect === 'flip' ? ['vertical', 'horizontal'] : ['vertical'];
      it(`${entry.file}: ${expect === 'flip' ? 'flips exactly' : expect}`, async () => {
        const input = readFileSync(join(corpusDir, entry.file));
        for (const axis of axes) {
          const response = await fetch(`${service.url}/flip?axis=${axis}`, {
            method: 'POST',
            headers: { 'content-type': entry.mime },
            body: input,
          });
          const output = Buffer.from(await response.arrayBuffer());
          if (expect !== 'flip') {
            assert.ok(response.status >= 400 && response.status < 500, `answered ${response.status}`);
            assert.equal(JSON.parse(output.toString()).error.code, expect, output.toString());
            continue;
          }
          assert.equal(response.status, 200, output.toString());
          const reference = entry.reference === undefined ? input : readFileSync(join(corpusDir, entry.reference));
          const expected = decodeWithImageMagick(reference, magickFormat(entry));
          const actual = decodeWithImageMagick(output, magickFormat(entry));
          assert.deepEqual(
            [actual.width, actual.height, actual.frames.length],
            [expected.width, expected.height, expected.frames.length],
          );
          flipFrames(expected, axis).forEach((frame, i) => {
            const difference = largestDifference(actual.frames[i]!, frame);
            assert.ok(difference <= (entry.tolerance ?? 0), `${axis} frame ${i}: off by up to ${difference}`);
          });
          if (entry.mime === 'image/gif') assert.deepEqual(gifTiming(output), gifTiming(input));
        }
      });
    }
  });
