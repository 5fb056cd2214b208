import { createJimp } from '@jimp/core';
import bmp, { msBmp } from '@jimp/js-bmp';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import tiff from '@jimp/js-tiff';
import type { ImageMime } from '../flip/image-format';

/**
 * The formats the Jimp engine decodes and encodes, one entry each, and no image-editing plugins (a flip needs
 * none). GIF is not here: gif-flip.ts flips it frame by frame without going through one RGBA bitmap.
 */
export const jimpFormats = [bmp, msBmp, jpeg, png, tiff];

/** The image types that go through a Jimp bitmap. */
export type JimpFormatMime = Exclude<ImageMime, 'image/gif'>;

export const FlipJimp = createJimp({ formats: jimpFormats });
