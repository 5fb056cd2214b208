import { broken, tooManyPixels } from './refusal';

// Progressive JPEGs repeat scans; a file of thousands of tiny scans makes decoders redo the whole image each
// time. Real encoders write about ten.
const MAX_SCANS = 256;

/**
 * JPEG, whatever the codec: segments up to the first scan lie inside the file, a frame header declares the
 * size, and the number of scans is bounded. Entropy-coded data stuffs every 0xFF with 0x00, so counting
 * 0xFFDA pairs over the whole file counts the scans.
 */
export function checkJpeg(bytes: Uint8Array, maxPixels: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw broken('JPEG', 'it does not start with SOI');
  let offset = 2;
  let sawFrame = false;
  for (;;) {
    while (offset < bytes.length && bytes[offset] === 0xff && bytes[offset + 1] === 0xff) offset++;
    if (offset + 4 > bytes.length) throw broken('JPEG', 'it ends before its first scan');
    if (bytes[offset] !== 0xff) throw broken('JPEG', `a segment is expected at byte ${offset}`);
    const marker = bytes[offset + 1]!;
    const length = view.getUint16(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length)
      throw broken('JPEG', 'a segment runs past the end of the file');
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) throw broken('JPEG', 'its frame header is short');
      const height = view.getUint16(offset + 5);
      const width = view.getUint16(offset + 7);
      if (width * height > maxPixels) throw tooManyPixels(`${width}x${height}`, maxPixels);
      sawFrame = true;
    }
    if (marker === 0xda) break;
    offset += 2 + length;
  }
  if (!sawFrame) throw broken('JPEG', 'it has no frame header before its first scan');
  let scans = 0;
  for (let i = offset; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xda && ++scans > MAX_SCANS) {
      throw broken('JPEG', `it has over ${MAX_SCANS} scans`);
    }
  }
}
