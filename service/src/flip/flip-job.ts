import { HttpError } from '../errors';
import type { FlipAxis } from './flip-bitmap';
import type { FlipScheduler } from '../queue/flip-scheduler';
import { ownedBytes, type FlipTask } from './flip-task';
import { readImageHeader, type ImageMime } from './image-format';
import { checkImageStructure } from './image-structure';
import { jpegFromItsStart } from './structure/jpeg';

export interface FlipJobResult {
  mime: ImageMime;
  output: Uint8Array<ArrayBuffer>;
}

/**
 * Checks an image's header (type, pixel count) and structure without decoding it, then queues the flip.
 * `declared` is the type the client named; the bytes must be of that type.
 */
export interface FlipOptions {
  axis: FlipAxis;
  quality: number;
  maxPixels: number;
}

export async function flipJob(
  queue: FlipScheduler,
  input: Uint8Array,
  options: FlipOptions,
  declared?: ImageMime,
): Promise<FlipJobResult> {
  const task = checkedFlipTask(input, options, declared);
  const outcome = await queue.run(task);
  if (!outcome.ok) throw new HttpError(outcome.code, outcome.message);
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
    throw new HttpError('invalid_image', 'The body is not a readable image.');
  }
  if (declared !== undefined && header.mime !== declared) {
    throw new HttpError('invalid_image', `The body is ${header.mime}, not the declared ${declared}.`);
  }
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new HttpError(
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
