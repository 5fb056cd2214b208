import tiff from '@jimp/js-tiff';
import UTIF from 'utif2';

/**
 * Jimp's TIFF format with its encoder corrected: utif2's encodeImage labels the alpha channel "associated"
 * (premultiplied, ExtraSamples=1) while the bitmap's alpha is straight, so every reader darkened translucent
 * pixels; ExtraSamples=2 says what the bytes are. And TIFF keeps alpha: without hasAlpha Jimp first composites
 * the image onto its background, which shifts translucent pixels by a level.
 */
// utif2's types call the metadata a whole IFD; the function merges any subset of tags.
const STRAIGHT_ALPHA = { t338: [2] } as Partial<UTIF.IFD> as UTIF.IFD;

export default function flipTiff(): ReturnType<typeof tiff> & { hasAlpha: boolean } {
  return {
    ...tiff(),
    hasAlpha: true,
    encode: ({ data, width, height }) => Buffer.from(UTIF.encodeImage(data, width, height, STRAIGHT_ALPHA)),
  };
}
