import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { JpegTooManyPixels, turboJpeg } from '../../src/engines/turbo-jpeg';
import type { JpegSubsampling } from '../../src/flip/structure/jpeg';
import { magick } from '../../../testkit/imagemagick';
import { decodeWithSharp, difference, pattern, type Rgba } from '../../../testkit/images';

const jpegFormat = turboJpeg();
const noLimit = { maxPixels: Number.MAX_SAFE_INTEGER };

// Each layout's sampling factors as ImageMagick, an independent decoder, reads them.
const FACTORS: Record<JpegSubsampling, string> = {
  '4:4:4': '1x1,1x1,1x1',
  '4:2:2': '2x1,1x1,1x1',
  '4:2:0': '2x2,1x1,1x1',
  '4:4:0': '1x2,1x1,1x1',
  '4:1:1': '4x1,1x1,1x1',
  '4:4:1': '1x4,1x1,1x1',
  gray: '1x1',
};

const samplingFactors = (jpeg: Buffer) =>
  magick(['jpg:-', '-format', '%[jpeg:sampling-factor]', 'info:-'], jpeg).toString();

/** Opaque pixels of a fixed pseudo-random sequence: nothing for the encoder to compress. */
function noise(width: number, height: number): Rgba {
  const data = Buffer.alloc(width * height * 4, 255);
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    if (i % 4 !== 3) data[i] = state >>> 24;
  }
  return { width, height, data };
}

async function sharpJpeg(image: Rgba, options: { greyscale?: boolean } = {}): Promise<Buffer> {
  const { width, height, data } = image;
  const pipeline = sharp(data, { raw: { width, height, channels: 4 } });
  return (options.greyscale ? pipeline.greyscale() : pipeline).jpeg({ quality: 90 }).toBuffer();
}

describe("libjpeg-turbo (WebAssembly) as Jimp's JPEG format", () => {
  it('decodes colour and grey JPEGs to the pixels sharp (native libjpeg-turbo) decodes', async () => {
    for (const greyscale of [false, true]) {
      const jpeg = await sharpJpeg(pattern(301, 203), { greyscale });
      const ours = await jpegFormat.decode(jpeg, noLimit);
      const theirs = await decodeWithSharp(jpeg);
      assert.deepEqual([ours.width, ours.height], [301, 203]);
      assert.ok(
        difference(ours, theirs).mean < 0.5,
        `greyscale ${greyscale}: ${JSON.stringify(difference(ours, theirs))}`,
      );
    }
  });

  it('encodes baseline 4:2:0 JPEG at the quality asked, close to the source', async () => {
    const source = pattern(320, 240);
    const high = await jpegFormat.encode(source, { quality: 95 });
    const low = await jpegFormat.encode(source, { quality: 40 });
    const metadata = await sharp(high).metadata();
    assert.deepEqual([metadata.format, metadata.isProgressive], ['jpeg', false]);
    assert.equal(samplingFactors(high), '2x2,1x1,1x1');
    assert.ok(low.length < high.length, 'a lower quality did not make a smaller file');
    assert.ok(difference(await decodeWithSharp(high), source).mean < 2);
  });

  it('encodes every chroma subsampling asked, at the quality asked', async () => {
    const source = pattern(64, 32);
    for (const [subsampling, factors] of Object.entries(FACTORS) as Array<[JpegSubsampling, string]>) {
      const high = await jpegFormat.encode(source, { quality: 95, subsampling });
      const low = await jpegFormat.encode(source, { quality: 40, subsampling });
      assert.equal(samplingFactors(high), factors, subsampling);
      assert.ok(low.length < high.length, `${subsampling}: a lower quality did not make a smaller file`);
    }
  });

  it('encodes noise, the largest JPEG of its pixels, in every subsampling without harm to the codec', async () => {
    // 4:4:4 noise at quality 100 takes over 3 bytes a pixel, more than a 4:2:0-sized buffer held.
    const probe = pattern(32, 32);
    const before = await jpegFormat.encode(probe, { quality: 90 });
    for (const subsampling of Object.keys(FACTORS) as JpegSubsampling[]) {
      for (const [width, height] of [
        [1, 1],
        [8, 8],
        [16, 16],
        [33, 17],
        [128, 128],
      ] as const) {
        const jpeg = await jpegFormat.encode(noise(width, height), { quality: 100, subsampling });
        const decoded = await decodeWithSharp(jpeg);
        assert.deepEqual([decoded.width, decoded.height], [width, height], `${subsampling} ${width}x${height}`);
      }
    }
    assert.deepEqual(await jpegFormat.encode(probe, { quality: 90 }), before, 'the codec encodes otherwise now');
  });

  it('encodes images whose JPEG is larger than their pixels, then larger ones, without harm to the codec', async () => {
    // The codec's own output buffer holds only the pixels' bytes: these overran it and corrupted its heap.
    for (const [width, height] of [
      [1, 1],
      [8, 8],
      [1, 300],
      [16, 16],
      [320, 240],
    ] as const) {
      const source = pattern(width, height);
      const ours = await decodeWithSharp(await jpegFormat.encode(source, { quality: 100 }));
      const native = sharp(source.data, { raw: { width, height, channels: 4 } });
      const theirs = await decodeWithSharp(await native.jpeg({ quality: 100, chromaSubsampling: '4:2:0' }).toBuffer());
      assert.deepEqual([ours.width, ours.height], [width, height]);
      assert.ok(difference(ours, theirs).mean < 0.5, `${width}x${height}: ${JSON.stringify(difference(ours, theirs))}`);
    }
  });

  it('decodes a JPEG whose ICC segments are misnumbered, as sharp does, ignoring the profile', async () => {
    const jpeg = await sharpJpeg(pattern(64, 48));
    const segment = Buffer.alloc(2 + 1000);
    segment.writeUInt16BE(0xffe2, 0);
    segment.writeUInt16BE(1000, 2);
    segment.write('ICC_PROFILE\0\x01\x01', 4, 'latin1');
    const misnumbered = Buffer.concat([jpeg.subarray(0, 2), segment, segment, jpeg.subarray(2)]);
    const ours = await jpegFormat.decode(misnumbered, noLimit);
    assert.deepEqual(ours.data, (await jpegFormat.decode(jpeg, noLimit)).data);
    assert.ok(difference(ours, await decodeWithSharp(misnumbered)).mean < 0.5);
  });

  it('refuses a JPEG whose header names too many pixels before decoding, and garbage with an Error', async () => {
    const jpeg = await sharpJpeg(pattern(100, 100));
    await assert.rejects(jpegFormat.decode(jpeg, { maxPixels: 9_999 }), JpegTooManyPixels);
    await assert.rejects(jpegFormat.decode(Buffer.from('not a jpeg at all'), noLimit), /could not decode/);
    await assert.rejects(jpegFormat.decode(jpeg.subarray(0, 300), noLimit), /could not decode/);
    assert.equal((await jpegFormat.decode(jpeg, noLimit)).width, 100, 'the codec no longer works after a failure');
  });
});
