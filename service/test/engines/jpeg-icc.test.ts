import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { flipWithJimp } from '../../src/engines/jimp-flip';
import { withIccProfileOf, withoutApp2Segments } from '../../src/engines/jpeg-icc';
import { flipWithSharp } from '../../src/engines/sharp-flip';
import { decodeWithSharp, difference, flipExpected, pattern } from '../../../testkit/images';

/** A JPEG whose pixels are stored in Display P3, with that profile embedded (as phones write them). */
async function displayP3Jpeg(): Promise<Buffer> {
  const { width, height, data } = pattern(64, 48);
  return sharp(data, { raw: { width, height, channels: 4 } })
    .withIccProfile('p3')
    .jpeg({ quality: 95 })
    .toBuffer();
}

const task = (input: Buffer) => ({
  input: new Uint8Array(input),
  mime: 'image/jpeg' as const,
  axis: 'vertical' as const,
  quality: 95,
  maxPixels: 1_000_000,
});

describe('JPEG ICC profiles on the Jimp engine', () => {
  it('hands the codec no APP2 segments and keeps every other byte', async () => {
    const jpeg = await displayP3Jpeg();
    const stripped = withoutApp2Segments(jpeg);
    assert.ok(stripped.length < jpeg.length);
    assert.equal((await sharp(stripped).metadata()).icc, undefined);
    assert.deepEqual(withoutApp2Segments(stripped), stripped);
    assert.deepEqual(await decodeWithSharp(withIccProfileOf(jpeg, Buffer.from(stripped))), await decodeWithSharp(jpeg));
  });

  it('flips a Display P3 photo to the colours it showed, as the sharp engine does', async () => {
    const input = await displayP3Jpeg();
    const expected = flipExpected(await decodeWithSharp(input), 'vertical');
    for (const flip of [flipWithJimp, flipWithSharp]) {
      const outcome = await flip(task(input));
      assert.ok(outcome.ok);
      const seen = difference(await decodeWithSharp(outcome.output), expected);
      assert.ok(seen.mean < 1.5, `${flip.name}: ${JSON.stringify(seen)}`);
    }
  });
});
