import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flipAxes, flipBitmap } from '../../src/flip/flip-bitmap';
import { flipExpected, pattern } from '../../../testkit/images';

describe('flipBitmap', () => {
  for (const [width, height] of [
    [1, 1],
    [1, 7],
    [7, 1],
    [2, 2],
    [5, 3],
    [64, 33],
  ] as const) {
    for (const axis of flipAxes) {
      it(`flips ${width}x${height} ${axis} in place, pixel for pixel`, () => {
        const source = pattern(width, height);
        const bitmap = { width, height, data: Buffer.from(source.data) };
        const { buffer } = bitmap.data;
        flipBitmap(bitmap, axis);
        assert.equal(bitmap.data.buffer, buffer);
        assert.deepEqual(bitmap.data, flipExpected(source, axis).data);
      });
    }
  }

  it('is its own inverse', () => {
    const source = pattern(13, 9);
    const bitmap = { width: 13, height: 9, data: Buffer.from(source.data) };
    for (const axis of flipAxes) {
      flipBitmap(bitmap, axis);
      flipBitmap(bitmap, axis);
      assert.deepEqual(bitmap.data, source.data);
    }
  });
});
