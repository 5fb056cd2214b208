import { createJimp } from '@jimp/core';
import { defaultFormats } from 'jimp';
import { turboJpeg } from './turbo-jpeg';

/**
 * The one list of image formats the Jimp engine reads and writes: Jimp's own, with JPEG served by
 * libjpeg-turbo in WebAssembly instead of jpeg-js. Decoding goes through Jimp.fromBuffer either way, so
 * Jimp's EXIF orientation handling applies to every format.
 */
export const jimpFormats = [...defaultFormats.filter((format) => format().mime !== 'image/jpeg'), turboJpeg];

/** Jimp with these formats and no plugins: the engine flips the bitmap itself (flip/flip-bitmap.ts). */
export const FlipJimp = createJimp({ formats: jimpFormats });
