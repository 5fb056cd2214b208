import type { ImageMime } from './image-format';
import { checkBmp } from './structure/bmp';
import { checkGif } from './structure/gif';
import { checkJpeg } from './structure/jpeg';
import { checkPng } from './structure/png';
import { checkTiff } from './structure/tiff';

const checks: Record<ImageMime, (bytes: Uint8Array, maxPixels: number) => void> = {
  'image/jpeg': checkJpeg,
  'image/png': checkPng,
  'image/gif': checkGif,
  'image/bmp': checkBmp,
  'image/tiff': checkTiff,
};

/**
 * Walks the file's structure (chunks, blocks, directories) without decoding pixels, so that both engines refuse
 * the same files the same way before a decoder sees them: loops, lengths past the end, declared work over the
 * pixel limit (invalid_image, too_many_pixels), and the format features the service does not flip
 * (unsupported_image). Throws an ServiceError; linear in the file's size.
 */
export function checkImageStructure(bytes: Uint8Array, mime: ImageMime, maxPixels: number): void {
  checks[mime](bytes, maxPixels);
}
