export interface TiffTag {
  tag: number;
  values: number[];
}

export interface GrayTiffOptions {
  width?: number;
  height?: number;
  rowsPerStrip?: number;
  /** Tags added to (or replacing) the baseline ones. */
  extra?: TiffTag[];
  /** Next-directory offset; -1 points the directory at itself. */
  next?: number;
  /** Where the first strip claims to start, if not where it is. */
  stripOffset?: number;
  /** The bytes of a single strip, compressed as the extra Compression tag says, instead of raw pixels. */
  strip?: Buffer;
}

/**
 * A hand-built little-endian TIFF of one 8-bit gray page (pixels, then strip tables, then the directory), for
 * the structural cases ImageMagick will not write: loops, lying offsets, a million strips.
 */
export function grayTiff({
  width = 4,
  height = 4,
  rowsPerStrip = height,
  extra = [],
  next = 0,
  stripOffset,
  strip,
}: GrayTiffOptions = {}) {
  const pixels = strip ?? Buffer.from(Array.from({ length: width * height }, (_, i) => (i * 16) % 256));
  const strips = Math.ceil(height / rowsPerStrip);
  const stripBytes = width * rowsPerStrip;
  const offsetsAt = 8 + pixels.length;
  const countsAt = offsetsAt + (strips > 1 ? strips * 4 : 0);
  const ifdAt = countsAt + (strips > 1 ? strips * 4 : 0);
  const offsets = Array.from({ length: strips }, (_, i) => (i === 0 ? (stripOffset ?? 8) : 8 + i * stripBytes));
  const counts = strip ? [strip.length] : Array.from({ length: strips }, () => stripBytes);
  const byTag = new Map<number, number[]>([
    [256, [width]],
    [257, [height]],
    [258, [8]],
    [259, [1]],
    [262, [1]],
    [273, offsets],
    [277, [1]],
    [278, [rowsPerStrip]],
    [279, counts],
  ]);
  for (const { tag, values } of extra) byTag.set(tag, values);
  const tags = [...byTag].sort(([a], [b]) => a - b);
  const tables = Buffer.alloc(ifdAt - offsetsAt);
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16LE(tags.length, 0);
  tags.forEach(([tag, values], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(4, at + 2);
    ifd.writeUInt32LE(values.length, at + 4);
    if (values.length === 1) {
      ifd.writeUInt32LE(values[0]!, at + 8);
      return;
    }
    const tableAt = tag === 273 ? offsetsAt : countsAt;
    ifd.writeUInt32LE(tableAt, at + 8);
    values.forEach((value, j) => tables.writeUInt32LE(value, tableAt - offsetsAt + j * 4));
  });
  ifd.writeUInt32LE(next === -1 ? ifdAt : next, 2 + tags.length * 12);
  const header = Buffer.from([0x49, 0x49, 42, 0, 0, 0, 0, 0]);
  header.writeUInt32LE(ifdAt, 4);
  return { bytes: Buffer.concat([header, pixels, tables, ifd]), ifdAt };
}
