import { performance } from 'node:perf_hooks';
import { GifCodec, GifError, type GifFrame } from 'gifwrap';
import { flipBitmap, type FlipAxis } from '../flip/flip-bitmap';
import { gifFrameDelays } from '../flip/structure/gif';
import { ownedBytes, type FlipOutcome, type FlipTask } from '../flip/flip-task';

/** A frame's rectangle moves to the mirror position on the canvas; its pixels flip within it. */
function flipFrame(frame: GifFrame, axis: FlipAxis, canvas: { width: number; height: number }): void {
  const { width, height } = frame.bitmap;
  flipBitmap(frame.bitmap, axis);
  if (axis !== 'horizontal') frame.yOffset = canvas.height - frame.yOffset - height;
  if (axis !== 'vertical') frame.xOffset = canvas.width - frame.xOffset - width;
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
    const gif = await codec.decodeGif(input);
    // gifwrap turns a delay of 0 into 8 centiseconds; the file's own delays are put back.
    const delays = gifFrameDelays(input);
    gif.frames.forEach((frame, i) => {
      frame.delayCentisecs = delays[i] ?? 0;
      // gifwrap cannot write interlaced rows; interlacing only orders rows for transmission, not the picture.
      frame.interlaced = false;
      flipFrame(frame, task.axis, gif);
    });
    const flipped = await codec.encodeGif(gif.frames, { loops: gif.loops });
    return {
      ok: true,
      output: ownedBytes(flipped.buffer),
      width: gif.width,
      height: gif.height,
      timings: { totalMs: performance.now() - started },
    };
  } catch (error) {
    // gifwrap wraps omggif's errors as GifError; anything else thrown on these bytes is a broken file too.
    const message = (error as Error).message;
    if (error instanceof GifError && /256 colors/.test(message)) {
      return { ok: false, code: 'unsupported_image', message: 'a GIF frame with 256 colours and transparency' };
    }
    return { ok: false, code: 'invalid_image', message: `cannot decode the image: ${message}` };
  }
}
