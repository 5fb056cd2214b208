import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { checkJpeg } from '../../../src/flip/structure/jpeg';
import { encode, pattern } from '../../../../testkit/images';

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
});
