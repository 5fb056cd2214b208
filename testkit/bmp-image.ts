/**
 * An uncompressed 24-bit BMP of the given size with a gradient, built byte by byte: large images for slow flips
 * cost no encoder and no fixture file. Rows are bottom-up and padded to 4 bytes, as the format requires.
 */
export function bmpImage(width: number, height: number): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const pixelBytes = rowBytes * height;
  const headerBytes = 14 + 40;
  const image = Buffer.alloc(headerBytes + pixelBytes);
  image.write('BM', 0, 'ascii');
  image.writeUInt32LE(headerBytes + pixelBytes, 2);
  image.writeUInt32LE(headerBytes, 10);
  image.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  image.writeInt32LE(width, 18);
  image.writeInt32LE(height, 22);
  image.writeUInt16LE(1, 26); // colour planes
  image.writeUInt16LE(24, 28); // bits per pixel
  image.writeUInt32LE(pixelBytes, 34);
  for (let y = 0; y < height; y++) {
    const row = headerBytes + y * rowBytes;
    for (let x = 0; x < width; x++) {
      image[row + x * 3] = x & 0xff;
      image[row + x * 3 + 1] = y & 0xff;
      image[row + x * 3 + 2] = (x + y) & 0xff;
    }
  }
  return image;
}
