export type FlipAxis = 'vertical' | 'horizontal' | 'both';

export const flipAxes: readonly FlipAxis[] = ['vertical', 'horizontal', 'both'];

export interface Bitmap {
  data: Buffer;
  width: number;
  height: number;
}

const BYTES_PER_PIXEL = 4;

/**
 * Flips an RGBA bitmap in place: a vertical flip swaps whole rows, a horizontal flip swaps pixels within
 * each row. No per-pixel callbacks and no second full-size buffer (Jimp's own flip() has both).
 */
export function flipBitmap(bitmap: Bitmap, axis: FlipAxis): void {
  if (axis !== 'horizontal') swapRows(bitmap);
  if (axis !== 'vertical') mirrorRows(bitmap);
}

function swapRows({ data, width, height }: Bitmap): void {
  const rowBytes = width * BYTES_PER_PIXEL;
  const spare = Buffer.allocUnsafe(rowBytes);
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    const topStart = top * rowBytes;
    const bottomStart = bottom * rowBytes;
    data.copy(spare, 0, topStart, topStart + rowBytes);
    data.copy(data, topStart, bottomStart, bottomStart + rowBytes);
    spare.copy(data, bottomStart);
  }
}

function mirrorRows({ data, width, height }: Bitmap): void {
  const rowBytes = width * BYTES_PER_PIXEL;
  for (let row = 0; row < height; row++) {
    const rowStart = row * rowBytes;
    for (let left = rowStart, right = rowStart + rowBytes - BYTES_PER_PIXEL; left < right; ) {
      for (let byte = 0; byte < BYTES_PER_PIXEL; byte++) {
        const kept = data[left + byte]!;
        data[left + byte] = data[right + byte]!;
        data[right + byte] = kept;
      }
      left += BYTES_PER_PIXEL;
      right -= BYTES_PER_PIXEL;
    }
  }
}
