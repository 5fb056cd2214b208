import { broken, tooManyPixels, unsupported } from './refusal';

// Directories a file may hold in all (pages, EXIF, sub-IFDs) and entries in one: far above real files,
// far below what makes a decoder's parsing costly.
const MAX_IFDS = 64;
const MAX_ENTRIES = 4096;

const typeSizes: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};
// Tags whose values point at further directories, which decoders follow too.
const IFD_POINTER_TAGS = new Set([330, 34665, 34853, 40965]);

const compressions: Record<number, string | undefined> = {
  1: undefined,
  5: undefined,
  8: undefined,
  32946: undefined,
  32773: undefined,
  2: 'CCITT Group 3 (modified Huffman)',
  3: 'CCITT Group 3 fax',
  4: 'CCITT Group 4 fax',
  6: 'old-style JPEG',
  7: 'JPEG',
  34712: 'JPEG 2000',
  34925: 'LZMA',
  50000: 'Zstandard',
  50001: 'WebP',
  34887: 'LERC',
};
const photometrics: Record<number, string | undefined> = {
  0: undefined,
  1: undefined,
  2: undefined,
  3: undefined,
  4: 'transparency mask',
  5: 'CMYK (separated)',
  6: 'YCbCr',
  8: 'CIE L*a*b*',
  9: 'ICC L*a*b*',
  10: 'ITU L*a*b*',
  32844: 'LogL',
  32845: 'LogLuv',
};

interface Entry {
  type: number;
  count: number;
  /** Offset of the value (inline or pointed to). */
  at: number;
}

/**
 * TIFF (classic, one page): every directory inside the file and visited once (a chain that loops back is
 * refused before a decoder follows it), every strip or tile inside the file, and the first page's layout one
 * that the decoders flip exactly: 1-bit or 8-bit samples, 1, 3 or 4 of them, interleaved, gray, RGB or
 * palette, uncompressed, LZW, Deflate or PackBits, upright.
 */
export function checkTiff(bytes: Uint8Array, maxPixels: number): void {
  readTiffPage(bytes, maxPixels);
}

/** What a decoder of the one page does: its compression and its strips (or tiles). */
export interface TiffPage {
  compression: number;
  strips: Uint8Array[];
  /** Bytes one strip or tile decompresses to. */
  stripBytes: number;
}

/** The checks of checkTiff, returning the page they passed. */
export function readTiffPage(bytes: Uint8Array, maxPixels = Number.POSITIVE_INFINITY): TiffPage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw broken('TIFF', 'it ends inside its header');
  const order = String.fromCharCode(bytes[0]!, bytes[1]!);
  if (order !== 'II' && order !== 'MM') throw broken('TIFF', 'its byte order mark is wrong');
  const little = order === 'II';
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const magic = u16(2);
  if (magic === 43) throw unsupported('BigTIFF');
  if (magic !== 42) throw broken('TIFF', `its magic number is ${magic}`);

  const readIfd = (offset: number): { entries: Map<number, Entry>; next: number } => {
    if (offset < 8 || offset + 2 > bytes.length)
      throw broken('TIFF', `a directory at byte ${offset} is outside the file`);
    const count = u16(offset);
    if (count === 0 || count > MAX_ENTRIES) throw broken('TIFF', `a directory has ${count} entries`);
    if (offset + 2 + count * 12 + 4 > bytes.length) throw broken('TIFF', 'a directory runs past the end of the file');
    const entries = new Map<number, Entry>();
    for (let i = 0; i < count; i++) {
      const at = offset + 2 + i * 12;
      const type = u16(at + 2);
      const valueCount = u32(at + 4);
      const size = (typeSizes[type] ?? 0) * valueCount;
      const valueAt = size <= 4 ? at + 8 : u32(at + 8);
      if (valueAt + size > bytes.length) throw broken('TIFF', `tag ${u16(at)} points past the end of the file`);
      entries.set(u16(at), { type, count: valueCount, at: valueAt });
    }
    return { entries, next: u32(offset + 2 + count * 12) };
  };
  const values = (entry: Entry | undefined): number[] => {
    if (entry === undefined) return [];
    const size = typeSizes[entry.type];
    if (size !== 1 && size !== 2 && size !== 4) return [];
    return Array.from({ length: entry.count }, (_, i) => {
      const at = entry.at + i * size;
      return size === 1 ? bytes[at]! : size === 2 ? u16(at) : u32(at);
    });
  };

  // Every directory reachable, each once: the page chain and the directories tags point at.
  const seen = new Set<number>();
  const pages: Array<Map<number, Entry>> = [];
  const visit = (offset: number, page: boolean): void => {
    if (seen.has(offset)) throw broken('TIFF', `its directories loop back to byte ${offset}`);
    seen.add(offset);
    if (seen.size > MAX_IFDS) throw broken('TIFF', `it has over ${MAX_IFDS} directories`);
    const { entries, next } = readIfd(offset);
    if (page) pages.push(entries);
    for (const tag of IFD_POINTER_TAGS) for (const pointer of values(entries.get(tag))) visit(pointer, false);
    if (page && next !== 0) visit(next, true);
  };
  visit(u32(4), true);
  if (pages.length > 1) throw unsupported(`multi-page TIFF (${pages.length} pages)`);
  return checkPage(pages[0]!, values, bytes, maxPixels);
}

function checkPage(
  page: Map<number, Entry>,
  values: (entry: Entry | undefined) => number[],
  bytes: Uint8Array,
  maxPixels: number,
): TiffPage {
  const one = (tag: number, fallback: number) => values(page.get(tag))[0] ?? fallback;
  const width = one(256, 0);
  const height = one(257, 0);
  if (width === 0 || height === 0) throw broken('TIFF', 'its first page has no width or height');
  if (width * height > maxPixels) throw tooManyPixels(`${width}x${height}`, maxPixels);

  const compression = one(259, 1);
  if (!(compression in compressions)) throw unsupported(`TIFF compression ${compression}`);
  const compressionName = compressions[compression];
  if (compressionName !== undefined) throw unsupported(`${compressionName}-compressed TIFF`);
  const photometric = one(262, 1);
  if (!(photometric in photometrics)) throw unsupported(`TIFF photometric interpretation ${photometric}`);
  const photometricName = photometrics[photometric];
  if (photometricName !== undefined) throw unsupported(`${photometricName} TIFF`);
  if (one(284, 1) !== 1) throw unsupported('planar (separate-plane) TIFF');
  if (one(339, 1) !== 1) throw unsupported('TIFF with floating-point or signed samples');
  const orientation = one(274, 1);
  if (orientation !== 1) throw unsupported(`TIFF with Orientation ${orientation}`);
  if (one(266, 1) !== 1) throw unsupported('TIFF with reversed bit fill order');

  const samples = one(277, 1);
  const bits = values(page.get(258));
  const depths = new Set(bits.length === 0 ? [1] : bits);
  const depth = depths.size === 1 ? [...depths][0]! : 0;
  if (depth !== 8 && !(depth === 1 && samples === 1 && photometric <= 1)) {
    throw unsupported(`TIFF with ${bits.join('/') || 1}-bit samples`);
  }
  if (photometric === 3 && samples !== 1) throw broken('TIFF', 'a palette page has more than one sample');
  if (photometric === 2 ? samples !== 3 && samples !== 4 : samples !== 1 && samples !== 2) {
    throw unsupported(`TIFF with ${samples} samples per pixel`);
  }

  const tiled = page.has(324);
  const offsets = values(page.get(tiled ? 324 : 273));
  const counts = values(page.get(tiled ? 325 : 279));
  if (offsets.length === 0 || offsets.length !== counts.length) throw broken('TIFF', 'its strips are not listed');
  const strips = offsets.map((offset, i) => {
    if (offset + counts[i]! > bytes.length) throw broken('TIFF', `strip ${i} runs past the end of the file`);
    return bytes.subarray(offset, offset + counts[i]!);
  });
  const rowBytes = (columns: number) => Math.ceil((columns * samples * depth) / 8);
  const stripBytes = tiled
    ? rowBytes(one(322, width)) * one(323, height)
    : rowBytes(width) * Math.min(height, one(278, height));
  return { compression, strips, stripBytes };
}
