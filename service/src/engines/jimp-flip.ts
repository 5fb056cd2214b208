import { performance } from 'node:perf_hooks';
import { flipBitmap } from '../flip/flip-bitmap';
import { ownedBytes, type FlipOutcome, type FlipTask } from '../flip/flip-task';
import { jpegSubsampling } from '../flip/structure/jpeg';
import { flipGif } from './gif-flip';
import { FlipJimp, type JimpFormatMime } from './jimp-formats';
import { withIccProfileOf } from './jpeg-icc';
import { JpegTooManyPixels, turboJpeg } from './turbo-jpeg';

type JimpImage = Awaited<ReturnType<typeof FlipJimp.fromBuffer>>;

const jpegFormat = turboJpeg();

/**
 * Jimp's getBuffer('image/jpeg') first composites the image onto a fresh opaque bitmap, a full-size allocation
 * and a pass over every pixel. A bitmap decoded from a JPEG is opaque already, so it goes straight to the
 * encoder, which writes no EXIF: the pixels are already turned upright. The input's chroma subsampling and ICC
 * profile go along.
 */
async function encode(image: JimpImage, task: FlipTask & { mime: JimpFormatMime }) {
  if (task.mime !== 'image/jpeg') return image.getBuffer(task.mime);
  const options = { quality: task.quality, subsampling: jpegSubsampling(task.input) };
  return withIccProfileOf(task.input, await jpegFormat.encode(image.bitmap, options));
}

/** Decode with Jimp (EXIF orientation applied, as Jimp does), flip the bitmap in place, encode in the same format. */
export async function flipWithJimp(task: FlipTask): Promise<FlipOutcome> {
  const { mime } = task;
  if (mime === 'image/gif') return flipGif(task);
  const started = performance.now();
  const input = Buffer.from(task.input.buffer, task.input.byteOffset, task.input.byteLength);
  let image: JimpImage;
  try {
    image = await FlipJimp.fromBuffer(input, { 'image/jpeg': { maxPixels: task.maxPixels } });
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof JpegTooManyPixels) return { ok: false, code: 'too_many_pixels', message };
    return { ok: false, code: 'invalid_image', message: `cannot decode the image: ${message}` };
  }
  if (image.mime !== task.mime) {
    return { ok: false, code: 'invalid_image', message: `the body is ${image.mime}, not ${task.mime}` };
  }
  const decoded = performance.now();

  flipBitmap(image.bitmap, task.axis);
  const flipped = performance.now();

  const output = ownedBytes(await encode(image, { ...task, mime }));
  const done = performance.now();

  return {
    ok: true,
    output,
    width: image.width,
    height: image.height,
    timings: {
      totalMs: done - started,
      decodeMs: decoded - started,
      flipMs: flipped - decoded,
      encodeMs: done - flipped,
    },
  };
}
