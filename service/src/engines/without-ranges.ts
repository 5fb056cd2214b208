/** The bytes without the given [start, end) ranges (in order, not overlapping): blocks a decoder must not see. */
export function withoutRanges(bytes: Buffer, ranges: Array<[number, number]>): Buffer {
  if (ranges.length === 0) return bytes;
  const kept: Buffer[] = [];
  let from = 0;
  for (const [start, end] of ranges) {
    kept.push(bytes.subarray(from, start));
    from = end;
  }
  kept.push(bytes.subarray(from));
  return Buffer.concat(kept);
}
