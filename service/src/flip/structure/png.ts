import { broken, unsupported } from './refusal';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Bit depths the PNG specification allows per colour type.
const depthsByColourType: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const MAX_CHUNKS = 100_000;

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * PNG: signature, IHDR first and sane, every chunk inside the file with a matching CRC, image data present,
 * no animation. Inflating is bounded by the decoder itself: it stops at the size the header implies.
 */
export function checkPng(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!SIGNATURE.every((byte, i) => bytes[i] === byte)) throw broken('PNG', 'its signature is wrong');
  let offset = SIGNATURE.length;
  let chunks = 0;
  let sawImageData = false;
  for (;;) {
    if (offset + 12 > bytes.length) throw broken('PNG', 'it ends before its IEND chunk');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) throw broken('PNG', `chunk ${type} runs past the end of the file`);
    if (crc32(bytes, offset + 4, offset + 8 + length) !== view.getUint32(offset + 8 + length)) {
      throw broken('PNG', `chunk ${type} fails its CRC`);
    }
    if (chunks === 0) {
      if (type !== 'IHDR' || length !== 13) throw broken('PNG', 'it does not start with IHDR');
      checkHeader(bytes, view, offset + 8);
    }
    if (++chunks > MAX_CHUNKS) throw broken('PNG', `it has over ${MAX_CHUNKS} chunks`);
    // Decoders without APNG support show the default image alone; a flip would drop the animation.
    if (type === 'acTL') throw unsupported('animated PNG (APNG)');
    if (type === 'IDAT') sawImageData = true;
    if (type === 'IEND') break;
    offset = end;
  }
  if (!sawImageData) throw broken('PNG', 'it has no IDAT chunk');
}

function checkHeader(bytes: Uint8Array, view: DataView, at: number): void {
  const depth = bytes[at + 8]!;
  const colourType = bytes[at + 9]!;
  if (!depthsByColourType[colourType]?.includes(depth)) {
    throw broken('PNG', `colour type ${colourType} with bit depth ${depth} is not a PNG combination`);
  }
  if (bytes[at + 10] !== 0 || bytes[at + 11] !== 0) throw broken('PNG', 'its compression or filter method is unknown');
  if (bytes[at + 12]! > 1) throw broken('PNG', 'its interlace method is unknown');
  if (view.getUint32(at) === 0 || view.getUint32(at + 4) === 0) throw broken('PNG', 'it has no pixels');
}
