import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageMime, readImageHeader } from '../../src/flip/image-format';
import { bmpImage } from '../../../testkit/bmp-image';
import { encode, pattern, pngHeaderOnly } from '../../../testkit/images';

describe('image format', () => {
  it('accepts the five image types, ignoring parameters and case', () => {
    assert.equal(parseImageMime('image/jpeg'), 'image/jpeg');
    assert.equal(parseImageMime('Image/PNG; charset=binary'), 'image/png');
    assert.equal(parseImageMime('image/tiff'), 'image/tiff');
    assert.equal(parseImageMime('image/webp'), undefined);
    assert.equal(parseImageMime('text/plain'), undefined);
    assert.equal(parseImageMime(undefined), undefined);
  });

  for (const mime of ['image/jpeg', 'image/png', 'image/bmp', 'image/gif', 'image/tiff'] as const) {
    it(`reads the type and size of a ${mime} from its header`, async () => {
      assert.deepEqual(readImageHeader(await encode(pattern(21, 13), mime)), { mime, width: 21, height: 13 });
    });
  }

  it('reads a claimed size from a bare header without any pixel data', () => {
    assert.deepEqual(readImageHeader(pngHeaderOnly(100_000, 90_000)), {
      mime: 'image/png',
      width: 100_000,
      height: 90_000,
    });
    assert.deepEqual(readImageHeader(bmpImage(3, 2).subarray(0, 54)), { mime: 'image/bmp', width: 3, height: 2 });
  });

  it('reads a header from a view into a larger buffer', async () => {
    const png = await encode(pattern(21, 13), 'image/png');
    const view = new Uint8Array(Buffer.concat([Buffer.alloc(7), png])).subarray(7);
    assert.deepEqual(readImageHeader(view), { mime: 'image/png', width: 21, height: 13 });
  });

  it('returns undefined for anything else', () => {
    assert.equal(readImageHeader(Buffer.from('GIF')), undefined);
    assert.equal(
      readImageHeader(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')),
      undefined,
    );
    assert.equal(readImageHeader(new Uint8Array(0)), undefined);
  });
});
