import { createJimp } from '@jimp/core';
import bmp, { msBmp } from '@jimp/js-bmp';
import type { ImageMime } from '../flip/image-format';
import flipPng from './png-format';
import flipTiff from './tiff-format';
import { turboJpeg } from './turbo-jpeg';

/**
 * The formats the Jimp engine decodes and encodes, one entry each, and no image-editing plugins (a flip needs
 * none). JPEG is libjpeg-turbo compiled to WebAssembly (turbo-jpeg.ts) instead of jpeg-js; decoding goes through
 * Jimp.fromBuffer either way, so Jimp's EXIF orientation handling applies. PNG and TIFF are Jimp's own with a fix
 * each (png-format.ts, tiff-format.ts). GIF is not here:
 * gif-flip.ts flips it frame by frame without going through one RGBA bitmap.
 */
export const jimpFormats = [bmp, msBmp, turboJpeg, flipPng, flipTiff];

/** The image types that go through a Jimp bitmap. */
export type JimpFormatMime = Exclude<ImageMime, 'image/gif'>;

export const FlipJimp = createJimp({ formats: jimpFormats });
