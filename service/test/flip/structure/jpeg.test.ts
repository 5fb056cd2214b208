import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkJpeg, jpegSubsampling } from '../../../src/flip/structure/jpeg';
import { encode, pattern, withExifOrientation } from '../../../../testkit/images';

const MAX_PIXELS = 1_000_000;
const SCAN_MARKER = [0xff, 0xda, 0x00, 0x02];

/** A one-scan JPEG with `extraScans` more scan markers written before its end of image. */
async function withScans(extraScans: number): Promise<Buffer> {
  const jpeg = await encode(pattern(16, 16), 'image/jpeg');
  const markers = Buffer.from(Array.from({ length: extraScans }, () => SCAN_MARKER).flat());
  return Buffer.concat([jpeg.subarray(0, -2), markers, jpeg.subarray(-2)]);
}

const refusal = (bytes: Uint8Array): string | undefined => {
  try {
    checkJpeg(bytes, MAX_PIXELS);
    return undefined;
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
};

describe('JPEG structure', () => {
  it('accepts a progressive JPEG: its several scans are within the bound', async () => {
    const { width, height, data } = pattern(64, 48);
    const progressive = await sharp(data, { raw: { width, height, channels: 4 } })
      .jpeg({ progressive: true })
      .toBuffer();
    assert.equal(refusal(progressive), undefined);
  });

  it('accepts 256 scans and refuses a 257th as invalid_image', async () => {
    assert.equal(refusal(await withScans(255)), undefined);
    assert.equal(refusal(await withScans(256)), 'invalid_image: The JPEG is broken: it has over 256 scans.');
  });

  it('counts the scans of the view it is given, not of the memory around it', async () => {
    const jpeg = await withScans(255);
    const before = Buffer.from(Array.from({ length: 10 }, () => SCAN_MARKER).flat());
    const view = new Uint8Array(Buffer.concat([before, jpeg])).subarray(before.length);
    assert.equal(refusal(view), undefined);
  });

  it('reads the chroma subsampling from the frame header, turned with a quarter-turn EXIF orientation', () => {
    const corpus = (name: string) => readFileSync(join(__dirname, '..', '..', 'corpus', `jpeg-sampling-${name}.jpg`));
    for (const [name, subsampling] of [
      ['444', '4:4:4'],
      ['422', '4:2:2'],
      ['420', '4:2:0'],
      ['440', '4:4:0'],
      ['411', '4:1:1'],
      ['441', '4:4:1'],
      ['gray', 'gray'],
    ] as const) {
      assert.equal(jpegSubsampling(corpus(name)), subsampling, name);
      assert.equal(jpegSubsampling(withExifOrientation(corpus(name), 3)), subsampling, `${name}, orientation 3`);
    }
    for (const orientation of [5, 6, 7, 8]) {
      assert.equal(jpegSubsampling(withExifOrientation(corpus('422'), orientation)), '4:4:0', `${orientation}`);
      assert.equal(jpegSubsampling(withExifOrientation(corpus('441'), orientation)), '4:1:1', `${orientation}`);
    }
  });

  it('reads factors that are multiples of one layout as that layout, and none for chroma sampled unevenly', () => {
    const jpeg = readFileSync(join(__dirname, '..', '..', 'corpus', 'jpeg-sampling-444.jpg'));
    const withFactors = (factors: number[]) => {
      const copy = Buffer.from(jpeg);
      const frame = copy.indexOf(Buffer.from([0xff, 0xc0]));
      factors.forEach((factor, component) => (copy[frame + 11 + 3 * component] = factor));
      return copy;
    };
    assert.equal(jpegSubsampling(withFactors([0x22, 0x22, 0x22])), '4:4:4');
    assert.equal(jpegSubsampling(withFactors([0x42, 0x21, 0x21])), '4:2:0');
    assert.equal(jpegSubsampling(withFactors([0x22, 0x11, 0x21])), undefined);
    assert.equal(jpegSubsampling(withFactors([0x11, 0x22, 0x22])), undefined);
    assert.equal(jpegSubsampling(Buffer.from('not a jpeg')), undefined);
  });
});
