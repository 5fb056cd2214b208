import { HttpError } from '../errors';
import type { FlipAxis } from './flip-bitmap';
import type { FlipQueue } from '../queue/flip-queue';
import { ownedBytes } from './flip-task';
import { readImageHeader, type ImageMime } from './image-format';
import { checkImageStructure } from './image-structure';

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
  queue: FlipQueue,
  input: Uint8Array,
  { axis, quality, maxPixels }: FlipOptions,
  declared?: ImageMime,
): Promise<FlipJobResult> {
  const header = readImageHeader(input);
  if (header === undefined) {
    // The structure check of the declared type names what it finds (BigTIFF, say) better than "unreadable".
    if (declared !== undefined) checkImageStructure(input, declared, maxPixels);
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
  checkImageStructure(input, header.mime, maxPixels);
  const outcome = await queue.run({ input: ownedBytes(input), mime: header.mime, axis, quality, maxPixels });
  if (!outcome.ok) throw new HttpError(outcome.code, outcome.message);
  return { mime: header.mime, output: outcome.output };
}
