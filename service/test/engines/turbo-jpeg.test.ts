import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { JpegTooManyPixels, turboJpeg } from '../../src/engines/turbo-jpeg';
import { decodeWithSharp, difference, pattern, type Rgba } from '../../../testkit/images';

const jpegFormat = turboJpeg();
const noLimit = { maxPixels: Number.MAX_SAFE_INTEGER };

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
    assert.deepEqual([metadata.format, metadata.chromaSubsampling, metadata.isProgressive], ['jpeg', '4:2:0', false]);
    assert.ok(low.length < high.length, 'a lower quality did not make a smaller file');
    assert.ok(difference(await decodeWithSharp(high), source).mean < 2);
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
