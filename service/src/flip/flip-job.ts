import { ServiceError } from '../errors';
import type { FlipAxis } from './flip-bitmap';
import type { FlipScheduler } from './flip-scheduler';
import { ownedBytes, type FlipTask } from './flip-task';
import { readImageHeader, type ImageMime } from './image-format';
import { checkImageStructure } from './image-structure';
import { jpegFromItsStart } from './structure/jpeg';

export interface FlippedImage {
  mime: ImageMime;
  output: Uint8Array<ArrayBuffer>;
}

/**
 * Checks an image's header (type, pixel count) and structure without decoding it, then hands the flip to its scheduler.
 * `declared` is the type the client named; the bytes must be of that type.
 */
export interface FlipOptions {
  axis: FlipAxis;
  quality: number;
  maxPixels: number;
}

export async function flipJob(
  scheduler: FlipScheduler,
  input: Uint8Array,
  options: FlipOptions,
  declared?: ImageMime,
): Promise<FlippedImage> {
  const task = checkedFlipTask(input, options, declared);
  const outcome = await scheduler.run(task);
  if (!outcome.ok) throw new ServiceError(outcome.code, outcome.message);
  return { mime: task.mime, output: outcome.output };
}

/** The task for an image whose header passed the checks: the declared type, and at most maxPixels. */
export function checkedFlipTask(
  input: Uint8Array,
  { axis, quality, maxPixels }: FlipOptions,
  declared?: ImageMime,
): FlipTask {
  const image = declared === 'image/jpeg' ? withoutLeadingBytes(input) : input;
  const header = readImageHeader(image);
  if (header === undefined) {
    // The structure check of the declared type names what it finds (BigTIFF, say) better than "unreadable".
    if (declared !== undefined) checkImageStructure(image, declared, maxPixels);
    throw new ServiceError('invalid_image', 'The body is not a readable image.');
  }
  if (declared !== undefined && header.mime !== declared) {
    throw new ServiceError('invalid_image', `The body is ${header.mime}, not the declared ${declared}.`);
  }
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new ServiceError(
      'too_many_pixels',
      `${header.width}x${header.height} is over the limit of ${maxPixels} pixels.`,
    );
  }
  checkImageStructure(image, header.mime, maxPixels);
  return { input: ownedBytes(image), mime: header.mime, axis, quality, maxPixels };
}

/**
 * A declared JPEG with bytes before its start of image, from its start on. A body that is an image of another
 * type at its first byte stays as it is (and is refused as not the declared type), whatever it holds further in.
 */
function withoutLeadingBytes(input: Uint8Array): Uint8Array {
  return readImageHeader(input) === undefined ? jpegFromItsStart(input) : input;
}
