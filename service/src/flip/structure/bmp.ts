import { broken, tooManyPixels, unsupported } from './refusal';

// BITMAPINFOHEADER and its extensions. The OS/2 1.x header (12 bytes) is left out: the header reader misreads
// its 16-bit sizes.
const DIB_HEADER_SIZES = new Set([40, 52, 56, 108, 124]);
const compressionNames: Record<number, string> = {
  1: 'RLE8-compressed BMP',
  2: 'RLE4-compressed BMP',
  3: 'BMP with bit-field masks',
  4: 'JPEG-in-BMP',
  5: 'PNG-in-BMP',
  6: 'BMP with alpha bit-field masks',
};

/**
 * BMP: a known header, one plane, and uncompressed pixel rows of 1, 4, 8, 24 or 32 bits (the layouts the
 * decoder reads exactly), all inside the file; a palette no longer than the bit depth allows.
 */
export function checkBmp(bytes: Uint8Array, maxPixels: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw broken('BMP', 'its header is incomplete');
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (!DIB_HEADER_SIZES.has(headerSize)) throw unsupported(`BMP with a ${headerSize}-byte header`);
  if (14 + headerSize > bytes.length) throw broken('BMP', 'it ends inside its header');
  const width = view.getInt32(18, true);
  const height = view.getInt32(22, true);
  const planes = view.getUint16(26, true);
  const bits = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (width <= 0 || height === 0) throw broken('BMP', `its size ${width}x${height} is not an image`);
  if (width * Math.abs(height) > maxPixels) throw tooManyPixels(`${width}x${Math.abs(height)}`, maxPixels);
  if (planes !== 1) throw broken('BMP', `it has ${planes} planes`);
  if (compression !== 0) throw unsupported(compressionNames[compression] ?? `BMP compression ${compression}`);
  if (![1, 4, 8, 24, 32].includes(bits)) throw unsupported(`${bits}-bit BMP`);
  if (bits <= 8) {
    const coloursUsed = view.getUint32(46, true);
    if (coloursUsed > 2 ** bits) throw broken('BMP', `it declares ${coloursUsed} colours for ${bits}-bit pixels`);
  }
  const rowBytes = Math.ceil((width * bits) / 32) * 4;
  if (dataOffset < 14 + headerSize || dataOffset + rowBytes * Math.abs(height) > bytes.length) {
    throw broken('BMP', 'its pixel rows run past the end of the file');
  }
}
