import { inflateSync } from 'node:zlib';
import tiff from '@jimp/js-tiff';
import UTIF from 'utif2';
import { checkLzwCodes } from '../flip/structure/lzw';
import { readTiffPage } from '../flip/structure/tiff';

// utif2's types call the metadata a whole IFD; the function merges any subset of tags.
const STRAIGHT_ALPHA = { t338: [2] } as Partial<UTIF.IFD> as UTIF.IFD;
const LZW = 5;
const DEFLATE = [8, 32946];

/**
 * utif2 inflates a Deflate strip without a bound (a small strip could inflate to gigabytes) and trusts every
 * LZW code (one out of sequence can loop it for good). Each strip is checked first: LZW codes in sequence,
 * Deflate inflating to no more than a strip holds.
 */
function checkStrips(data: Uint8Array): void {
  const { compression, strips, stripBytes } = readTiffPage(data);
  for (const strip of strips) {
    if (compression === LZW) {
      checkLzwCodes(strip, { literalBits: 8, msbFirst: true, earlyChange: true, firstCodeAddsEntry: true });
    } else if (DEFLATE.includes(compression)) {
      try {
        inflateSync(strip, { maxOutputLength: stripBytes });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
        throw new Error('a Deflate strip inflates to more than the strip holds');
      }
    }
  }
}

/**
 * Jimp's TIFF format, with its strips checked before utif2 decodes them (above) and its encoder corrected:
 * utif2's encodeImage labels the alpha channel "associated" (premultiplied, ExtraSamples=1) while the bitmap's
 * alpha is straight, so every reader darkened translucent pixels; ExtraSamples=2 says what the bytes are. And
 * TIFF keeps alpha: without hasAlpha Jimp first composites the image onto its background, which shifts
 * translucent pixels by a level.
 */
export default function flipTiff(): ReturnType<typeof tiff> & { hasAlpha: boolean } {
  const base = tiff();
  return {
    ...base,
    hasAlpha: true,
    decode: (data) => {
      checkStrips(data);
      return base.decode(data);
    },
    encode: ({ data, width, height }) => Buffer.from(UTIF.encodeImage(data, width, height, STRAIGHT_ALPHA)),
  };
}
