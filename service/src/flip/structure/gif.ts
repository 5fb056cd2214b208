import { broken, tooManyPixels, unsupported } from './refusal';

const MAX_FRAMES = 10_000;

/**
 * GIF: walks the blocks up to the trailer. Every frame must lie inside the logical screen with an LZW code size
 * GIF allows, and frames × screen size (what decoding them all costs) must be within the pixel limit.
 */
export function checkGif(bytes: Uint8Array, maxPixels: number): void {
  readGifFrames(bytes, maxPixels);
}

export interface GifFrameData {
  /** Centiseconds, as the frame's graphic control extension states it (0 without one). */
  delay: number;
  /** The LZW minimum code size. */
  codeSize: number;
  /** The LZW code stream, its sub-blocks joined. */
  codes(): Uint8Array;
}

export interface GifStructure {
  frames: GifFrameData[];
  /** The animation's loop count (0: for ever), or null without a looping extension: played once. */
  loops: number | null;
  /**
   * Where extensions other than graphic control, comment and application ones lie (plain text, or labels GIF
   * does not define, which decoders skip): [start, end) byte ranges.
   */
  otherExtensions: Array<[number, number]>;
}

const KNOWN_EXTENSIONS = [0xf9, 0xfe, 0xff];

/** The frames and loop count of a GIF, read as the structure check reads them. */
export function readGifFrames(bytes: Uint8Array, maxPixels = Number.POSITIVE_INFINITY): GifStructure {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  if (signature !== 'GIF87a' && signature !== 'GIF89a') throw broken('GIF', 'its signature is wrong');
  if (bytes.length < 13) throw broken('GIF', 'it ends inside its header');
  const width = view.getUint16(6, true);
  const height = view.getUint16(8, true);
  let offset = 13 + colourTableBytes(bytes[10]!);
  const frames: GifFrameData[] = [];
  let loops: number | null = null;
  const otherExtensions: Array<[number, number]> = [];
  let delay = 0;
  const need = (count: number) => {
    if (offset + count > bytes.length) throw broken('GIF', 'it ends before its trailer');
  };
  // Returns where each sub-block's data lies.
  const skipSubBlocks = (): Array<[number, number]> => {
    const blocks: Array<[number, number]> = [];
    for (;;) {
      need(1);
      const size = bytes[offset++]!;
      if (size === 0) return blocks;
      need(size);
      blocks.push([offset, offset + size]);
      offset += size;
    }
  };
  for (;;) {
    need(1);
    const introducer = bytes[offset++]!;
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      need(2);
      // A graphic control extension: its delay applies to the next frame.
      if (bytes[offset] === 0xf9 && bytes[offset + 1] === 4) {
        need(6);
        delay = view.getUint16(offset + 3, true);
      }
      const start = offset - 1;
      const label = bytes[offset++]!;
      const blocks = skipSubBlocks();
      if (label === 0xff) loops = loopCount(bytes, blocks) ?? loops;
      if (!KNOWN_EXTENSIONS.includes(label)) otherExtensions.push([start, offset]);
    } else if (introducer === 0x2c) {
      need(10);
      const x = view.getUint16(offset, true);
      const y = view.getUint16(offset + 2, true);
      const frameWidth = view.getUint16(offset + 4, true);
      const frameHeight = view.getUint16(offset + 6, true);
      const frame = frames.length + 1;
      if (x + frameWidth > width || y + frameHeight > height) {
        throw unsupported(`a GIF frame outside its ${width}x${height} logical screen`);
      }
      offset += 9 + colourTableBytes(bytes[offset + 8]!);
      need(1);
      const codeSize = bytes[offset++]!;
      if (codeSize < 2 || codeSize > 8) throw broken('GIF', `frame ${frame} has LZW code size ${codeSize}`);
      const blocks = skipSubBlocks();
      frames.push({
        delay,
        codeSize,
        codes: () => Buffer.concat(blocks.map(([start, end]) => bytes.subarray(start, end))),
      });
      delay = 0;
      if (frame > MAX_FRAMES) throw broken('GIF', `it has over ${MAX_FRAMES} frames`);
      if (frame * width * height > maxPixels) throw tooManyPixels(`${frame} frames of ${width}x${height}`, maxPixels);
    } else {
      throw broken('GIF', `unknown block 0x${introducer.toString(16)} at byte ${offset - 1}`);
    }
  }
  if (frames.length === 0) throw broken('GIF', 'it has no image');
  return { frames, loops, otherExtensions };
}

const LOOPING_APPLICATIONS = ['NETSCAPE2.0', 'ANIMEXTS1.0'];

/**
 * The loop count of an application extension that is a looping one: its first data sub-block is 1 then the
 * count. Further sub-blocks (a buffering hint) may follow, which omggif does not expect: it then reads no loop
 * count, and the flipped animation would play once instead of for ever.
 */
function loopCount(bytes: Uint8Array, blocks: Array<[number, number]>): number | undefined {
  const [identifier, data] = blocks;
  if (identifier === undefined || data === undefined || data[1] - data[0] !== 3) return undefined;
  const application = String.fromCharCode(...bytes.subarray(identifier[0], identifier[1]));
  if (!LOOPING_APPLICATIONS.includes(application) || bytes[data[0]] !== 1) return undefined;
  return bytes[data[0] + 1]! | (bytes[data[0] + 2]! << 8);
}

/** Bytes of the colour table a packed-fields byte announces (none when its top bit is clear). */
function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}
