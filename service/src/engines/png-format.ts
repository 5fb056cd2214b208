import { inflateSync } from 'node:zlib';
import png from '@jimp/js-png';
import { pngImageData, pngInflatedSize, pngWithImageData } from '../flip/structure/png';

/**
 * Jimp's PNG format, with what pngjs gets wrong handled before it: it inflates interlaced image data without a
 * bound (a small file could inflate to gigabytes), and it fails on bytes after the end of the zlib stream,
 * which other decoders ignore. The image data is inflated up to the size the header implies and no further;
 * a file with more data than that is refused, one with bytes after the stream goes to pngjs without them.
 */
export default function flipPng(): ReturnType<typeof png> {
  const base = png();
  return {
    ...base,
    decode: (data, options) => {
      const { interlaced, idat } = pngImageData(data);
      if (!interlaced) {
        try {
          return base.decode(data, options);
        } catch {
          // Retried below with the stream cut to its end, or refused with the reason.
        }
      }
      let consumed: number;
      try {
        // With `info`, inflateSync also returns its engine, which counts the input it used (not in @types/node).
        const inflated = inflateSync(idat, { maxOutputLength: pngInflatedSize(data), info: true }) as unknown as {
          engine: { bytesWritten: number };
        };
        consumed = inflated.engine.bytesWritten;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
        throw new Error('the PNG holds more image data than its size');
      }
      return base.decode(consumed < idat.length ? pngWithImageData(data, idat.subarray(0, consumed)) : data, options);
    },
  };
}
