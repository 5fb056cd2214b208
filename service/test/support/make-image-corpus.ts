// Writes service/test/corpus/: odd but valid variants of every format the service reads (made by Debian's
// ImageMagick from a pattern the project draws, so the files carry the project's own licence), hand-built
// structural attacks, and truncations, with manifest.json saying what the service must answer for each.
// Run: make image-corpus
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { ErrorCode } from '../../src/errors';
import type { ImageMime } from '../../src/flip/image-format';
import { grayTiff } from './gray-tiff';
import { magick } from '../../../testkit/imagemagick';
import { pattern } from '../../../testkit/images';

const corpusDir = join(__dirname, '..', 'corpus');

type Expectation = 'flip' | ErrorCode;

export interface CorpusEntry {
  file: string;
  mime: ImageMime;
  /** `flip`: answered 200 with exactly the flipped picture; otherwise the 4xx code. */
  expect: Expectation;
  /** Where the sharp engine answers otherwise (README's format table says why). */
  sharp?: Expectation;
  /** For `flip`: the largest difference per channel allowed against the reference (lossy or converted). */
  tolerance?: number;
  /** For `flip`: the corpus file whose decoding is the reference, where it is not this file itself. */
  reference?: string;
}

const formatOf: Record<ImageMime, string> = {
  'image/png': 'png',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
  'image/jpeg': 'jpg',
};

function rawPng(width: number, height: number, alpha: boolean): Buffer {
  const { data } = pattern(width, height);
  if (alpha) for (let i = 3; i < data.length; i += 4) data[i] = (i * 7) % 256;
  return magick(
    ['-size', `${width}x${height}`, '-depth', '8', 'rgba:-', ...(alpha ? [] : ['-alpha', 'off']), '-strip', 'png:-'],
    data,
  );
}

// ImageMagick writes no dates or software names into these, so the files are the same on every run.
const STABLE = ['-strip', '-define', 'png:exclude-chunks=date,time'];

/** `source` converted by ImageMagick; the last argument names the output. */
function made(source: Buffer, args: string[]): Buffer {
  return magick(['png:-', ...STABLE, ...args], source);
}

function mimeOfName(name: string): ImageMime {
  const prefix = name.split(/[-0-9]/)[0]!;
  return (Object.keys(formatOf) as ImageMime[]).find((mime) => mime.endsWith(`/${prefix}`))!;
}

// --- hand-built structures --------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** An 8-bit gray PNG from rows of filter-byte-prefixed scanlines, with the zlib stream cut into IDATs. */
function grayPng(width: number, height: number, idats: (zlib: Buffer) => Buffer[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = (x * 9 + y * 5) % 256;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...idats(deflateSync(rows)).map((part) => pngChunk('IDAT', part)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A GIF89a with a 2-colour global table and the given frames (x, y, width, height, LZW code size, data). */
function gif(
  width: number,
  height: number,
  frames: Array<{ x?: number; y?: number; width: number; height: number; codeSize?: number; data: Buffer }>,
): Buffer {
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(width, 6);
  screen.writeUInt16LE(height, 8);
  screen[10] = 0x80;
  const parts: Buffer[] = [screen, Buffer.from([0, 0, 0, 255, 255, 255])];
  for (const frame of frames) {
    const descriptor = Buffer.alloc(10);
    descriptor[0] = 0x2c;
    descriptor.writeUInt16LE(frame.x ?? 0, 1);
    descriptor.writeUInt16LE(frame.y ?? 0, 3);
    descriptor.writeUInt16LE(frame.width, 5);
    descriptor.writeUInt16LE(frame.height, 7);
    parts.push(descriptor, Buffer.from([frame.codeSize ?? 2]));
    for (let offset = 0; offset < frame.data.length; offset += 255) {
      const block = frame.data.subarray(offset, offset + 255);
      parts.push(Buffer.from([block.length]), block);
    }
    parts.push(Buffer.from([0]));
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

/** LZW codes of one width packed least significant bit first, as GIF stores them (or first, as TIFF does). */
function packCodes(codes: number[], width: number, msbFirst = false): Buffer {
  const bytes = Buffer.alloc(Math.ceil((codes.length * width) / 8));
  codes.forEach((code, i) => {
    for (let bit = 0; bit < width; bit++) {
      const at = i * width + bit;
      const set = msbFirst ? (code >> (width - 1 - bit)) & 1 : (code >> bit) & 1;
      if (set) bytes[at >> 3] = bytes[at >> 3]! | (msbFirst ? 0x80 >> (at & 7) : 1 << (at & 7));
    }
  });
  return bytes;
}

// LZW for one pixel of colour 0 with code size 2: clear (4), 0, end (5), packed LSB first in 3-bit codes.
const ONE_PIXEL_LZW = Buffer.from([0x44, 0x01]);

/**
 * Colour that changes from each pixel to the next, across (red) and down (blue): a JPEG re-encoded with more
 * chroma subsampling than its own loses it, and is off by over 50 levels where the same layout is off by 10.
 * 64×32, whole MCUs of every layout, so the flipped blocks line up with the input's.
 */
function chromaDetailPng(): Buffer {
  const [width, height] = [64, 32];
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([x % 2 ? 210 : 50, 60 + 2 * x + 2 * y, y % 2 ? 210 : 50, 255], (y * width + x) * 4);
    }
  }
  return magick(['-size', `${width}x${height}`, '-depth', '8', 'rgba:-', '-alpha', 'off', '-strip', 'png:-'], data);
}

function corpus(): Array<CorpusEntry & { bytes: Buffer }> {
  const opaque = rawPng(40, 28, false);
  const translucent = rawPng(40, 28, true);
  const chromaDetail = chromaDetailPng();
  const entries: Array<CorpusEntry & { bytes: Buffer }> = [];
  const add = (
    file: string,
    mime: ImageMime,
    expect: Expectation,
    bytes: Buffer,
    tolerance?: number,
    sharp?: Expectation,
    reference?: string,
  ) =>
    entries.push({
      file: `${file}.${formatOf[mime]}`,
      mime,
      expect,
      bytes,
      ...(tolerance ? { tolerance } : {}),
      ...(sharp ? { sharp } : {}),
      ...(reference ? { reference } : {}),
    });

  // Variants ImageMagick writes: [name, expected answer, source picture, arguments ending with the output].
  const sources = { opaque, translucent, chromaDetail };
  const variants: Array<[string, Expectation, keyof typeof sources, string, number?]> = [
    // PNG: every colour type and depth, palette transparency, interlacing; 16-bit becomes 8-bit on Jimp.
    ['png-rgb8', 'flip', 'opaque', 'PNG24:-'],
    ['png-rgba8', 'flip', 'translucent', 'PNG32:-'],
    ['png-palette8', 'flip', 'opaque', '-colors 60 PNG8:-'],
    ['png-palette-trns', 'flip', 'translucent', '-channel A -threshold 50% +channel -colors 30 PNG8:-'],
    ['png-gray1', 'flip', 'opaque', '-type Bilevel png:-'],
    ['png-gray4', 'flip', 'opaque', '-colorspace Gray -depth 4 -define png:color-type=0 png:-'],
    ['png-gray8', 'flip', 'opaque', '-colorspace Gray -define png:color-type=0 png:-'],
    ['png-graya8', 'flip', 'translucent', '-colorspace Gray -define png:color-type=4 png:-'],
    ['png-rgb16', 'flip', 'opaque', '-depth 16 PNG48:-', 1],
    ['png-rgba16', 'flip', 'translucent', '-depth 16 PNG64:-', 1],
    ['png-interlaced', 'flip', 'opaque', '-interlace PNG PNG24:-'],
    // GIF: palettes, transparency, interlacing, the first version of the format.
    ['gif-palette64', 'flip', 'opaque', '-colors 64 gif:-'],
    ['gif-palette256', 'flip', 'opaque', '-colors 256 gif:-'],
    ['gif-transparent', 'flip', 'translucent', '-channel A -threshold 50% +channel -colors 40 gif:-'],
    ['gif-interlaced', 'flip', 'opaque', '-colors 32 -interlace GIF gif:-'],
    ['gif87a', 'flip', 'opaque', '-colors 16 GIF87:-'],
    // BMP: the uncompressed depths; the compressed and bit-field layouts and the OS/2 header are refused.
    ['bmp-24', 'flip', 'opaque', 'BMP3:-'],
    ['bmp-8-palette', 'flip', 'opaque', '-colors 200 -type Palette -compress None BMP3:-'],
    ['bmp-4-palette', 'flip', 'opaque', '-colors 16 -type Palette -compress None BMP3:-'],
    ['bmp-1-bilevel', 'flip', 'opaque', '-type Bilevel BMP3:-'],
    ['bmp-os2', 'unsupported_image', 'opaque', 'BMP2:-'],
    ['bmp-rle8', 'unsupported_image', 'opaque', '-colors 100 -type Palette -compress RLE BMP3:-'],
    ['bmp-32-bitfields', 'unsupported_image', 'translucent', 'BMP:-'],
    ['bmp-16-rgb565', 'unsupported_image', 'opaque', '-define bmp:subtype=RGB565 BMP:-'],
    // TIFF: compressions, predictor, tiles, byte orders, gray, bilevel, palette (a colour map holds 16-bit
    // values: decoders round them to 8 bits one way or another), alpha; then the refused layouts.
    ['tiff-none', 'flip', 'opaque', '-compress None tiff:-'],
    ['tiff-lzw', 'flip', 'opaque', '-compress LZW tiff:-'],
    ['tiff-lzw-predictor', 'flip', 'opaque', '-compress LZW -define tiff:predictor=2 tiff:-'],
    ['tiff-deflate', 'flip', 'opaque', '-compress Zip tiff:-'],
    ['tiff-packbits', 'flip', 'opaque', '-compress RLE tiff:-'],
    ['tiff-big-endian', 'flip', 'opaque', '-compress None -endian MSB tiff:-'],
    ['tiff-tiled', 'flip', 'opaque', '-compress None -define tiff:tile-geometry=16x16 tiff:-'],
    ['tiff-rgba', 'flip', 'translucent', '-compress None tiff:-'],
    ['tiff-gray8', 'flip', 'opaque', '-colorspace Gray -compress None tiff:-'],
    ['tiff-bilevel', 'flip', 'opaque', '-type Bilevel -compress None tiff:-'],
    ['tiff-palette', 'flip', 'opaque', '-colors 50 -type Palette -compress None tiff:-', 1],
    ['tiff-16bit', 'unsupported_image', 'opaque', '-depth 16 -compress None tiff:-'],
    ['tiff-gray4', 'unsupported_image', 'opaque', '-colorspace Gray -depth 4 -compress None tiff:-'],
    ['tiff-planar', 'unsupported_image', 'opaque', '-interlace Plane -compress None tiff:-'],
    ['tiff-lab', 'unsupported_image', 'opaque', '-colorspace Lab -compress None tiff:-'],
    ['tiff-cmyk', 'unsupported_image', 'opaque', '-colorspace CMYK -compress None tiff:-'],
    ['tiff-jpeg', 'unsupported_image', 'opaque', '-compress JPEG tiff:-'],
    ['tiff-bigtiff', 'unsupported_image', 'opaque', '-compress None TIFF64:-'],
    // JPEG, whichever codec decodes it: compared with a tolerance for the codecs' rounding.
    ['jpeg-baseline', 'flip', 'opaque', '-quality 95 jpg:-', 24],
    ['jpeg-progressive', 'flip', 'opaque', '-quality 95 -interlace JPEG jpg:-', 24],
    ['jpeg-gray', 'flip', 'opaque', '-quality 95 -colorspace Gray jpg:-', 24],
    ['jpeg-444', 'flip', 'opaque', '-quality 95 -sampling-factor 1x1 jpg:-', 24],
    // Every chroma subsampling TurboJPEG writes (luma's factors over chroma's): the flip keeps it.
    ['jpeg-sampling-444', 'flip', 'chromaDetail', '-quality 95 -sampling-factor 1x1 jpg:-', 12],
    ['jpeg-sampling-422', 'flip', 'chromaDetail', '-quality 95 -sampling-factor 2x1 jpg:-', 12],
    ['jpeg-sampling-420', 'flip', 'chromaDetail', '-quality 95 -sampling-factor 2x2 jpg:-', 12],
    ['jpeg-sampling-440', 'flip', 'chromaDetail', '-quality 95 -sampling-factor 1x2 jpg:-', 12],
    ['jpeg-sampling-411', 'flip', 'chromaDetail', '-quality 95 -sampling-factor 4x1 jpg:-', 12],
    ['jpeg-sampling-441', 'flip', 'chromaDetail', '-quality 95 -sampling-factor 1x4 jpg:-', 12],
    ['jpeg-sampling-gray', 'flip', 'chromaDetail', '-quality 95 -colorspace Gray jpg:-', 12],
  ];
  for (const [name, expect, source, command, tolerance] of variants) {
    add(name, mimeOfName(name), expect, made(sources[source], command.split(' ')), tolerance);
  }

  // Valid files ImageMagick does not write: image data in many or empty IDATs or followed by padding, an
  // animation with partial frames, delays, every disposal and a loop count, top-down BMP rows, two TIFF pages.
  const bytePerIdat = grayPng(9, 7, (zlib) => [...zlib].map((byte) => Buffer.from([byte])));
  add('png-idat-per-byte', 'image/png', 'flip', bytePerIdat);
  add(
    'png-idat-empty-chunks',
    'image/png',
    'flip',
    grayPng(9, 7, (zlib) => [Buffer.alloc(0), zlib, Buffer.alloc(0)]),
  );
  add(
    'png-idat-padded',
    'image/png',
    'flip',
    grayPng(9, 7, (zlib) => [zlib, Buffer.alloc(100)]),
  );
  const animation = magick([
    ...['-size', '30x20', '-delay', '10', 'xc:navy'],
    ...['-delay', '25', '-dispose', 'None', '-page', '30x20+3+2', '-size', '12x8', 'xc:orange'],
    ...['-delay', '40', '-dispose', 'Background', '-page', '30x20+15+9', '-size', '9x7', 'xc:lime'],
    ...['-delay', '5', '-dispose', 'Previous', '-page', '30x20+1+12', '-size', '20x4', 'xc:white'],
    ...['-loop', '3', '-strip', 'gif:-'],
  ]);
  add('gif-animated', 'image/gif', 'flip', animation);
  add('bmp-top-down', 'image/bmp', 'flip', topDown(made(opaque, ['BMP3:-'])));
  // JPEGs as some tools leave them: bytes before the start of image (the reference is the JPEG alone), and an
  // ICC profile over two full APP2 segments, numbered 1 and 2 of 2, or both 1 of 1 as some writers number them.
  const baseline = entries.find((entry) => entry.file === 'jpeg-baseline.jpg')!;
  const envelope = Buffer.concat([Buffer.from('--boundary\r\nContent-Type: image/jpeg\r\n\r\n'), Buffer.alloc(300)]);
  const leading = Buffer.concat([envelope, baseline.bytes]);
  add('jpeg-leading-bytes', 'image/jpeg', 'flip', leading, 24, undefined, baseline.file);
  add('jpeg-icc-two-segments', 'image/jpeg', 'flip', withIccSegments(baseline.bytes, [1, 2], 2), 24);
  add('jpeg-icc-misnumbered', 'image/jpeg', 'flip', withIccSegments(baseline.bytes, [1, 1], 1), 24);
  // GIF extensions omggif does not expect: a plain text one, a label GIF does not define, and a looping one with
  // a buffering sub-block after the loop count (the animation must still loop for ever).
  const palette64 = entries.find((entry) => entry.file === 'gif-palette64.gif')!.bytes;
  const plainText = Buffer.from([0x21, 0x01, 12, 0, 0, 0, 0, 40, 0, 8, 0, 8, 8, 0, 1, 5, ...Buffer.from('Hello'), 0]);
  add('gif-plain-text', 'image/gif', 'flip', withGifExtension(palette64, plainText));
  add(
    'gif-unknown-extension',
    'image/gif',
    'flip',
    withGifExtension(palette64, Buffer.from([0x21, 0x2a, 3, 1, 2, 3, 0])),
  );
  const looping = Buffer.concat([
    Buffer.from([0x21, 0xff, 11]),
    Buffer.from('NETSCAPE2.0', 'latin1'),
    Buffer.from([3, 1, 0, 0, 5, 2, 0, 0x10, 0, 0, 0]),
  ]);
  add('gif-loop-buffer', 'image/gif', 'flip', withGifExtension(palette64, looping));
  const twoPages = magick(['png:-', '(', '+clone', '-negate', ')', ...STABLE, 'tiff:-'], opaque);
  add('tiff-two-pages', 'image/tiff', 'unsupported_image', twoPages);

  // Structural attacks.
  const loopToSelf = grayTiff({ next: -1 }).bytes;
  add('attack-tiff-ifd-loop', 'image/tiff', 'invalid_image', loopToSelf);
  const { ifdAt } = grayTiff();
  add(
    'attack-tiff-exif-loop',
    'image/tiff',
    'invalid_image',
    grayTiff({ extra: [{ tag: 34665, values: [ifdAt] }] }).bytes,
  );
  add('attack-tiff-strip-past-end', 'image/tiff', 'invalid_image', grayTiff({ stripOffset: 1_000_000 }).bytes);
  const manyEntries = Buffer.from(grayTiff().bytes);
  manyEntries.writeUInt16LE(65535, ifdAt);
  add('attack-tiff-entry-count', 'image/tiff', 'invalid_image', manyEntries);
  // LZW: clear, a literal, then a code far past the table (decoders that trust it chase stale entries).
  const lzwOutOfSequence = packCodes([256, 7, 400, 257], 9, true);
  const lzwTiff = grayTiff({ extra: [{ tag: 259, values: [5] }], strip: lzwOutOfSequence });
  add('attack-tiff-lzw-out-of-sequence', 'image/tiff', 'invalid_image', lzwTiff.bytes);
  const deflateBomb = grayTiff({
    extra: [{ tag: 259, values: [8] }],
    strip: deflateSync(Buffer.alloc(64 * 1024 * 1024)),
  });
  add('attack-tiff-deflate-bomb', 'image/tiff', 'invalid_image', deflateBomb.bytes, undefined, 'flip');
  const gifOutOfSequence = packCodes([4, 0, 7, 5], 3);
  add(
    'attack-gif-lzw-out-of-sequence',
    'image/gif',
    'invalid_image',
    gif(2, 2, [{ width: 2, height: 2, data: gifOutOfSequence }]),
  );
  add(
    'attack-gif-code-size-12',
    'image/gif',
    'invalid_image',
    gif(1, 1, [{ width: 1, height: 1, codeSize: 12, data: ONE_PIXEL_LZW }]),
  );
  // 80 000 clear-then-pixel codes for a 2x2 frame and no end code: decoders stop once the frame is full.
  const endless = Array.from({ length: 80_000 }, () => [4, 0]).flat();
  add('attack-gif-endless-lzw', 'image/gif', 'flip', gif(2, 2, [{ width: 2, height: 2, data: packCodes(endless, 3) }]));
  const manyScreens = Array.from({ length: 12 }, () => ({ width: 1, height: 1, data: ONE_PIXEL_LZW }));
  add('attack-gif-frames-times-screen', 'image/gif', 'too_many_pixels', gif(2000, 2000, manyScreens));
  const tooManyFrames = Array.from({ length: 10_001 }, () => ({ width: 1, height: 1, data: ONE_PIXEL_LZW }));
  add('attack-gif-frame-count', 'image/gif', 'invalid_image', gif(1, 1, tooManyFrames));
  add(
    'attack-gif-frame-outside',
    'image/gif',
    'unsupported_image',
    gif(4, 4, [{ x: 3, y: 3, width: 4, height: 4, data: ONE_PIXEL_LZW }]),
  );
  const bogusLength = Buffer.from(made(opaque, ['PNG24:-']));
  bogusLength.writeUInt32BE(0xfffffff0, 33);
  add('attack-png-chunk-length', 'image/png', 'invalid_image', bogusLength);
  const badCrc = Buffer.from(made(opaque, ['PNG24:-']));
  badCrc[29] = badCrc[29]! ^ 0xff;
  add('attack-png-crc', 'image/png', 'invalid_image', badCrc);
  // 64 MiB of rows for a 4x4 image: libpng (sharp) stops reading at the image's end, Jimp refuses it.
  const bomb = grayPng(4, 4, () => [deflateSync(Buffer.alloc(64 * 1024 * 1024))]);
  add('attack-png-inflate-bomb', 'image/png', 'invalid_image', bomb, undefined, 'flip');
  const interlacedBomb = Buffer.from(bomb);
  interlacedBomb[28] = 1;
  interlacedBomb.writeUInt32BE(crc32(interlacedBomb.subarray(12, 29)), 29);
  add('attack-png-interlaced-inflate-bomb', 'image/png', 'invalid_image', interlacedBomb, undefined, 'flip');
  const bmpPalette = Buffer.from(made(opaque, ['-colors', '16', '-type', 'Palette', '-compress', 'None', 'BMP3:-']));
  bmpPalette.writeUInt32LE(1_000_000, 46);
  add('attack-bmp-palette-count', 'image/bmp', 'invalid_image', bmpPalette);
  const bmpTall = Buffer.from(made(opaque, ['BMP3:-']));
  bmpTall.writeInt32LE(20_000, 22);
  add('attack-bmp-rows-past-end', 'image/bmp', 'invalid_image', bmpTall);

  // Truncations: every valid base cut at half its length.
  for (const base of entries.filter((entry) => !entry.file.startsWith('attack-') && entry.expect === 'flip')) {
    if (!/^(png-rgb8|gif-palette64|gif-animated|bmp-24|tiff-lzw|jpeg-baseline|jpeg-progressive)\./.test(base.file))
      continue;
    add(
      `truncated-${base.file.replace(/\.\w+$/, '')}`,
      base.mime,
      'invalid_image',
      base.bytes.subarray(0, base.bytes.length >> 1),
    );
  }
  return entries;
}

/**
 * The JPEG with full-size (64 KB) APP2 ICC_PROFILE segments after its SOI, numbered as given, out of `count`.
 * Their profile bytes are no valid profile, so no decoder converts colours with it.
 */
function withIccSegments(jpeg: Buffer, numbers: number[], count: number): Buffer {
  const segments = numbers.map((number) => {
    const segment = Buffer.alloc(2 + 0xffff, 0x5a);
    segment.writeUInt16BE(0xffe2, 0);
    segment.writeUInt16BE(0xffff, 2);
    segment.write('ICC_PROFILE\0', 4, 'latin1');
    segment[16] = number;
    segment[17] = count;
    return segment;
  });
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

/** The GIF with an extension block right after its header and global colour table. */
function withGifExtension(gif: Buffer, extension: Buffer): Buffer {
  const at = 13 + (gif[10]! & 0x80 ? 3 * 2 ** ((gif[10]! & 0x07) + 1) : 0);
  return Buffer.concat([gif.subarray(0, at), extension, gif.subarray(at)]);
}

/** The same BMP with a negative height and its rows in top-down order. */
function topDown(bmp: Buffer): Buffer {
  const out = Buffer.from(bmp);
  const dataOffset = bmp.readUInt32LE(10);
  const width = bmp.readInt32LE(18);
  const height = bmp.readInt32LE(22);
  const rowBytes = Math.ceil((width * bmp.readUInt16LE(28)) / 32) * 4;
  out.writeInt32LE(-height, 22);
  for (let row = 0; row < height; row++) {
    bmp.copy(
      out,
      dataOffset + row * rowBytes,
      dataOffset + (height - 1 - row) * rowBytes,
      dataOffset + (height - row) * rowBytes,
    );
  }
  return out;
}

if (require.main === module) {
  rmSync(corpusDir, { recursive: true, force: true });
  mkdirSync(corpusDir, { recursive: true });
  const entries = corpus();
  for (const { file, bytes } of entries) writeFileSync(join(corpusDir, file), bytes);
  // JSON leaves the bytes out.
  const manifest = entries.map((entry) => ({ ...entry, bytes: undefined }));
  writeFileSync(join(corpusDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`${readdirSync(corpusDir).length - 1} files in ${corpusDir}\n`);
}
