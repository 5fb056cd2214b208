import { jpegHeaderSegments } from '../flip/structure/jpeg';
import { withoutRanges } from './without-ranges';

const APP0 = 0xe0;
const APP2 = 0xe2;
const ICC_IDENTIFIER = Buffer.from('ICC_PROFILE\0', 'latin1');

/** The header's segments, or none where they cannot be read: then the codec names its own error. */
function segmentsOf(jpeg: Uint8Array) {
  try {
    return [...jpegHeaderSegments(jpeg)];
  } catch {
    return [];
  }
}

/**
 * The JPEG without its APP2 segments, where ICC profiles live. TurboJPEG 3 reassembles the profile while it reads
 * the header, and the API the WebAssembly build exposes (tjDecompressHeader3) fails the whole decode on the
 * warning it gives for a chain of ICC segments whose sequence numbers do not add up (two segments both numbered 1
 * of 1, say), a file libvips and ImageMagick read. The Jimp engine does no colour management: it needs no profile
 * to decode.
 */
export function withoutApp2Segments(jpeg: Buffer): Buffer {
  const app2 = segmentsOf(jpeg).filter(({ marker }) => marker === APP2);
  return withoutRanges(
    jpeg,
    app2.map(({ start, end }) => [start, end]),
  );
}

/**
 * `output` with the ICC profile segments of `input`, as they were, after its JFIF header. The Jimp engine flips
 * the pixels as stored: with the profile they stored for, they show the same colours as the input (a Display P3
 * photo stays P3), where sharp converts them to sRGB instead.
 */
export function withIccProfileOf(input: Uint8Array, output: Buffer): Buffer {
  const icc = segmentsOf(input).filter(
    ({ marker, start, end }) =>
      marker === APP2 &&
      end - start > 4 + ICC_IDENTIFIER.length &&
      ICC_IDENTIFIER.equals(input.subarray(start + 4, start + 4 + ICC_IDENTIFIER.length)),
  );
  if (icc.length === 0) return output;
  const [first] = segmentsOf(output);
  const at = first?.marker === APP0 ? first.end : 2;
  return Buffer.concat([
    output.subarray(0, at),
    ...icc.map(({ start, end }) => input.subarray(start, end)),
    output.subarray(at),
  ]);
}
