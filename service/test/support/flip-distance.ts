import type { FlipAxis } from '../../src/flip/flip-bitmap';
import { magick, type Frames } from '../../../testkit/imagemagick';
import { flipExpected } from '../../../testkit/images';

export interface FlipDistance {
  /** Largest difference of one channel (alpha included) over every frame. */
  max: number;
  /** Mean absolute difference per channel over every frame. */
  mean: number;
}

/**
 * How far `actual` (the service's output, decoded) is from `source` (its input, decoded) flipped here, pixel by
 * pixel and frame by frame; a string saying what differs when the sizes or frame counts are not the same.
 */
export function flipDistance(source: Frames, actual: Frames, axis: FlipAxis): FlipDistance | string {
  const shape = (frames: Frames) => `${frames.width}x${frames.height}, ${frames.frames.length} frame(s)`;
  if (shape(source) !== shape(actual)) return `${shape(actual)} instead of ${shape(source)}`;
  let max = 0;
  let sum = 0;
  let count = 0;
  source.frames.forEach((data, frame) => {
    const expected = flipExpected({ width: source.width, height: source.height, data }, axis).data;
    const output = actual.frames[frame]!;
    for (let i = 0; i < expected.length; i++) {
      // A pixel of alpha 0 or 1 is not seen; converting 16-bit alpha to 8 bits may round it either way.
      const unseen = Math.max(output[i | 3]!, expected[i | 3]!) <= 1 && (i & 3) !== 3;
      const difference = unseen ? 0 : Math.abs(output[i]! - expected[i]!);
      max = Math.max(max, difference);
      sum += difference;
    }
    count += expected.length;
  });
  return { max, mean: count === 0 ? 0 : sum / count };
}

/** A GIF's timing: each frame's delay and disposal as ImageMagick reads them, and the loop count. */
export function gifTiming(bytes: Buffer) {
  const frames = magick(['gif:-', '-format', '%T %D|', 'info:-'], bytes).toString();
  const looping = Math.max(bytes.indexOf('NETSCAPE2.0', 0, 'latin1'), bytes.indexOf('ANIMEXTS1.0', 0, 'latin1'));
  return { frames, loops: looping < 0 ? 'once' : bytes.readUInt16LE(looping + 13) };
}
