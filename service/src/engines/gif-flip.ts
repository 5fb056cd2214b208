import { performance } from 'node:perf_hooks';
import { GifCodec, GifError, type GifFrame } from 'gifwrap';
import { flipBitmap, type FlipAxis } from '../flip/flip-bitmap';
import { readGifFrames } from '../flip/structure/gif';
import { checkLzwCodes } from '../flip/structure/lzw';
import { ownedBytes, type FlipOutcome, type FlipTask } from '../flip/flip-task';
import { withoutRanges } from './without-ranges';

/** A frame's rectangle moves to the mirror position on the canvas; its pixels flip within it. */
function flipFrame(frame: GifFrame, axis: FlipAxis, canvas: { width: number; height: number }): void {
  const { width, height } = frame.bitmap;
  flipBitmap(frame.bitmap, axis);
  if (axis !== 'horizontal') frame.yOffset = canvas.height - frame.yOffset - height;
  if (axis !== 'vertical') frame.xOffset = canvas.width - frame.xOffset - width;
}

/**
 * gifwrap sizes the logical screen it writes to the frames' extent; a canvas that frames do not fill to its
 * right or bottom edge (a 2×2 screen with a 1×1 frame) would shrink. The frames' offsets were mirrored within
 * the input's screen, so that screen is written back.
 */
function keepLogicalScreen(gif: Buffer, screen: { width: number; height: number }): void {
  gif.writeUInt16LE(screen.width, 6);
  gif.writeUInt16LE(screen.height, 8);
}

/**
 * GIF flips every frame and keeps the animation: delays, disposal, interlacing, offsets (mirrored) and the loop
 * count. Jimp's own GIF format reads the first frame only and re-quantizes on output; here each frame's
 * colours are written back exactly (a palette of the colours the frame uses), so a flip moves pixels and never
 * changes one.
 */
export async function flipGif(task: FlipTask): Promise<FlipOutcome> {
  const started = performance.now();
  const codec = new GifCodec();
  const input = Buffer.from(task.input.buffer, task.input.byteOffset, task.input.byteLength);
  try {
    // omggif trusts every LZW code; one out of sequence can send it round a loop for good.
    const { frames, loops, otherExtensions } = readGifFrames(input);
    for (const { codeSize, codes } of frames) {
      checkLzwCodes(codes(), { literalBits: codeSize, msbFirst: false, earlyChange: false, firstCodeAddsEntry: false });
    }
    // omggif throws on any extension but graphic control, comment and application ones, where GIF has decoders
    // skip what they do not know; a plain text extension draws text no browser draws. Both are left out.
    const gif = await codec.decodeGif(withoutRanges(input, otherExtensions));
    gif.frames.forEach((frame, i) => {
      // gifwrap turns a delay of 0 into 8 centiseconds; the file's own delays are put back.
      frame.delayCentisecs = frames[i]?.delay ?? 0;
      // gifwrap cannot write interlaced rows; interlacing only orders rows for transmission, not the picture.
      frame.interlaced = false;
      flipFrame(frame, task.axis, gif);
    });
    // gifwrap types loops as a number, but documents null: no looping extension, played once.
    const flipped = await codec.encodeGif(gif.frames, { loops: loops as number });
    keepLogicalScreen(flipped.buffer, gif);
    return {
      ok: true,
      output: ownedBytes(flipped.buffer),
      width: gif.width,
      height: gif.height,
      timings: { totalMs: performance.now() - started },
    };
  } catch (error) {
    // gifwrap wraps omggif's errors as GifError; anything else thrown on these bytes (an LZW code out of
    // sequence, say) is a broken file too.
    const message = (error as Error).message;
    if (error instanceof GifError && /256 colors/.test(message)) {
      return { ok: false, code: 'unsupported_image', message: 'a GIF frame with 256 colours and transparency' };
    }
    return { ok: false, code: 'invalid_image', message: `cannot decode the image: ${message}` };
  }
}
