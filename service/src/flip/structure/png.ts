import { broken, unsupported } from './refusal';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Bit depths the PNG specification allows per colour type, and samples per pixel of each type.
const depthsByColourType: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const samplesByColourType: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const MAX_CHUNKS = 100_000;
// Adam7: each pass's first column and row, and its steps.
const PASSES = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

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

interface Chunk {
  type: string;
  data: Uint8Array;
  /** The whole chunk: length, type, data and CRC. */
  raw: Uint8Array;
}

/** The chunks up to IEND, each inside the file with a matching CRC; IHDR first. Throws on anything else. */
function* chunks(bytes: Uint8Array): Generator<Chunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!SIGNATURE.every((byte, i) => bytes[i] === byte)) throw broken('PNG', 'its signature is wrong');
  let offset = SIGNATURE.length;
  for (let count = 0; ; count++) {
    if (count > MAX_CHUNKS) throw broken('PNG', `it has over ${MAX_CHUNKS} chunks`);
    if (offset + 12 > bytes.length) throw broken('PNG', 'it ends before its IEND chunk');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) throw broken('PNG', `chunk ${type} runs past the end of the file`);
    if (crc32(bytes, offset + 4, offset + 8 + length) !== view.getUint32(offset + 8 + length)) {
      throw broken('PNG', `chunk ${type} fails its CRC`);
    }
    if (count === 0 && (type !== 'IHDR' || length !== 13)) throw broken('PNG', 'it does not start with IHDR');
    yield { type, data: bytes.subarray(offset + 8, offset + 8 + length), raw: bytes.subarray(offset, end) };
    if (type === 'IEND') return;
    offset = end;
  }
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlaced: boolean;
}

function readHeader({ data }: Chunk): Header {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    depth: data[8]!,
    colourType: data[9]!,
    interlaced: data[12] === 1,
  };
  if (!depthsByColourType[header.colourType]?.includes(header.depth)) {
    throw broken('PNG', `colour type ${header.colourType} with bit depth ${header.depth} is not a PNG combination`);
  }
  if (data[10] !== 0 || data[11] !== 0) throw broken('PNG', 'its compression or filter method is unknown');
  if (data[12]! > 1) throw broken('PNG', 'its interlace method is unknown');
  if (header.width === 0 || header.height === 0) throw broken('PNG', 'it has no pixels');
  return header;
}

/**
 * PNG: signature, IHDR first and sane, every chunk inside the file with a matching CRC, image data present,
 * no animation. How much the image data may inflate to is bounded in the Jimp engine (png-format.ts) and by
 * libpng in sharp.
 */
export function checkPng(bytes: Uint8Array): void {
  let sawImageData = false;
  for (const chunk of chunks(bytes)) {
    if (chunk.type === 'IHDR') readHeader(chunk);
    // Decoders without APNG support show the default image alone; a flip would drop the animation.
    if (chunk.type === 'acTL') throw unsupported('animated PNG (APNG)');
    if (chunk.type === 'IDAT') sawImageData = true;
  }
  if (!sawImageData) throw broken('PNG', 'it has no IDAT chunk');
}

/** The zlib stream (all IDAT chunks joined) and whether the rows are interlaced. */
export function pngImageData(bytes: Uint8Array): { interlaced: boolean; idat: Buffer } {
  const parts: Uint8Array[] = [];
  let interlaced = false;
  for (const chunk of chunks(bytes)) {
    if (chunk.type === 'IHDR') interlaced = readHeader(chunk).interlaced;
    if (chunk.type === 'IDAT') parts.push(chunk.data);
  }
  return { interlaced, idat: Buffer.concat(parts) };
}

/** The same PNG with its image data replaced by `stream`, in one IDAT chunk where the first one was. */
export function pngWithImageData(bytes: Uint8Array, stream: Uint8Array): Buffer {
  const idat = Buffer.alloc(12 + stream.length);
  idat.writeUInt32BE(stream.length, 0);
  idat.write('IDAT', 4, 'latin1');
  idat.set(stream, 8);
  idat.writeUInt32BE(crc32(idat, 4, 8 + stream.length), 8 + stream.length);
  const parts: Uint8Array[] = [bytes.subarray(0, SIGNATURE.length)];
  let placed = false;
  for (const chunk of chunks(bytes)) {
    if (chunk.type !== 'IDAT') parts.push(chunk.raw);
    else if (!placed) parts.push(idat);
    placed ||= chunk.type === 'IDAT';
  }
  return Buffer.concat(parts);
}

/** Bytes the image data inflates to: each row of each pass with its filter byte. */
export function pngInflatedSize(bytes: Uint8Array): number {
  const { width, height, depth, colourType, interlaced } = readHeader(chunks(bytes).next().value!);
  const bitsPerPixel = depth * samplesByColourType[colourType]!;
  const rowsBytes = (columns: number, rows: number) =>
    columns === 0 || rows === 0 ? 0 : rows * (1 + Math.ceil((columns * bitsPerPixel) / 8));
  if (!interlaced) return rowsBytes(width, height);
  return PASSES.reduce(
    (sum, [x, y, stepX, stepY]) => sum + rowsBytes(Math.ceil((width - x) / stepX), Math.ceil((height - y) / stepY)),
    0,
  );
}
