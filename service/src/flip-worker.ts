import { performance } from 'node:perf_hooks';
import { Jimp } from 'jimp';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { flipBitmap } from './flip-bitmap';
import { ownedBytes, type FlipOutcome, type FlipTask } from './flip-task';

const MiB = 1024 * 1024;

// jpeg-js's own guards, aligned with FLIP_MAX_PIXELS: the header check ran already, these stop a file whose
// header lies. Decoding needs about 8 bytes per pixel at its peak (component planes plus the RGBA output).
function jpegDecodeLimits(maxPixels: number) {
  return {
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: Math.ceil((maxPixels * 8) / MiB),
  };
}

/** Runs in a worker thread: decode, flip in place, encode in the same format. */
export default async function flipImage(task: FlipTask) {
  const started = performance.now();
  const input = Buffer.from(task.input.buffer, task.input.byteOffset, task.input.byteLength);
  let image: Awaited<ReturnType<typeof Jimp.fromBuffer>>;
  try {
    image = await Jimp.fromBuffer(input, { 'image/jpeg': jpegDecodeLimits(task.maxPixels) });
  } catch (error) {
    return invalidImage(`cannot decode the image: ${(error as Error).message}`);
  }
  if (image.mime !== task.mime) return invalidImage(`the body is ${image.mime}, not ${task.mime}`);
  if (image.width * image.height > task.maxPixels) {
    return fail('too_many_pixels', `${image.width}x${image.height} is over ${task.maxPixels} pixels`);
  }
  const decoded = performance.now();

  flipBitmap(image.bitmap, task.axis);
  const flipped = performance.now();

  const output = ownedBytes(await image.getBuffer(task.mime));
  const done = performance.now();

  const outcome: FlipOutcome = {
    ok: true,
    output,
    width: image.width,
    height: image.height,
    timings: { decodeMs: decoded - started, flipMs: flipped - decoded, encodeMs: done - flipped },
  };
  return move({
    get [transferableSymbol]() {
      return [output.buffer];
    },
    get [valueSymbol]() {
      return outcome;
    },
  });
}

function fail(code: 'invalid_image' | 'too_many_pixels', message: string): FlipOutcome {
  return { ok: false, code, message };
}

function invalidImage(message: string): FlipOutcome {
  return fail('invalid_image', message);
}
