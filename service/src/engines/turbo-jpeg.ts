import loadLibJpegTurbo, { type LibJpegTurbo } from '@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs';
import type { Bitmap } from '@jimp/types';
import type { JpegSubsampling } from '../flip/structure/jpeg';
import { withoutApp2Segments } from './jpeg-icc';

/**
 * Jimp's JPEG format backed by libjpeg-turbo compiled to WebAssembly (the codec sharp uses natively), in place of
 * jpeg-js. The Emscripten glue reads its .wasm from the package's own folder, so nothing is fetched at run time.
 * mozjpeg (@jsquash/jpeg) decodes as fast but always runs trellis quantisation when encoding: 13 s for the
 * benchmark photo against 0.5 s here.
 */

export interface JpegDecodeOptions {
  maxPixels: number;
}

export interface JpegEncodeOptions {
  quality?: number;
  /** The input's, so a flip keeps its chroma resolution; 4:2:0 (cameras' and sharp's default) otherwise. */
  subsampling?: JpegSubsampling | undefined;
}

/** The header names more pixels than FLIP_MAX_PIXELS allows: nothing was decoded. */
export class JpegTooManyPixels extends Error {
  override name = 'JpegTooManyPixels';
}

// TurboJPEG's TJSAMP_* number for each layout and its MCU, the block of pixels it encodes at a time. Baseline
// always: progressive output takes 2 to 3 times as long.
const TURBO_SUBSAMPLING: Record<JpegSubsampling, { code: number; mcuWidth: number; mcuHeight: number }> = {
  '4:4:4': { code: 0, mcuWidth: 8, mcuHeight: 8 },
  '4:2:2': { code: 1, mcuWidth: 16, mcuHeight: 8 },
  '4:2:0': { code: 2, mcuWidth: 16, mcuHeight: 16 },
  gray: { code: 3, mcuWidth: 8, mcuHeight: 8 },
  '4:4:0': { code: 4, mcuWidth: 8, mcuHeight: 16 },
  '4:1:1': { code: 5, mcuWidth: 32, mcuHeight: 8 },
  '4:4:1': { code: 6, mcuWidth: 8, mcuHeight: 32 },
};
const JIMP_DEFAULT_QUALITY = 100;

// One instance per thread, made on first use; its heap grows to the largest image it has seen.
let codec: Promise<LibJpegTurbo> | undefined;
const libJpegTurbo = (): Promise<LibJpegTurbo> => (codec ??= loadLibJpegTurbo());

/** libjpeg-turbo reports errors as thrown C++ exception pointers (numbers), not Errors. */
function codecError(action: string, thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(`libjpeg-turbo could not ${action} the JPEG`);
}

async function decode(data: Buffer, options?: JpegDecodeOptions): Promise<Bitmap> {
  const { JPEGDecoder } = await libJpegTurbo();
  const decoder = new JPEGDecoder();
  try {
    const jpeg = withoutApp2Segments(data);
    decoder.getEncodedBuffer(jpeg.length).set(jpeg);
    decoder.readHeader();
    const { width, height, componentCount } = decoder.getFrameInfo();
    if (options && width * height > options.maxPixels) {
      throw new JpegTooManyPixels(`the JPEG has ${width}×${height} pixels, more than ${options.maxPixels}`);
    }
    if (componentCount !== 1 && componentCount !== 3) {
      throw new Error(`JPEGs with ${componentCount} colour components (CMYK) are not supported`);
    }
    decoder.decode();
    return { width, height, data: toRgba(decoder.getDecodedBuffer(), componentCount, width * height) };
  } catch (thrown) {
    throw codecError('decode', thrown);
  } finally {
    decoder.delete();
  }
}

/** Grey (1 component) or RGB (3) samples to Jimp's RGBA bitmap. */
function toRgba(samples: Uint8Array, components: number, pixels: number): Buffer {
  const green = components === 3 ? 1 : 0;
  const blue = components === 3 ? 2 : 0;
  const rgba = Buffer.allocUnsafe(pixels * 4);
  for (let from = 0, to = 0; to < rgba.length; from += components, to += 4) {
    rgba[to] = samples[from]!;
    rgba[to + 1] = samples[from + green]!;
    rgba[to + 2] = samples[from + blue]!;
    rgba[to + 3] = 255;
  }
  return rgba;
}

/**
 * The frame to declare for RGB pixels of this size. The codec sizes the buffer it encodes into by the frame's
 * bytes, width × height × components × bytes a sample, and has libjpeg-turbo write into it without growing it
 * (TJFLAG_NOREALLOC), which then takes the buffer to be tjBufSize() long. A JPEG can be larger than its pixels:
 * its tables alone take about 600 bytes, so an image of a few hundred pixels or fewer (16×16 did) ran past that
 * buffer and corrupted the codec's heap (a 500, "memory access out of bounds", on this and later encodes of the
 * thread). Every component count but 1 is read as RGB, 3 bytes a pixel, and the sample width only sizes
 * buffers, so both are raised until the buffer holds tjBufSize(): both sides padded to the MCU, 2 bytes a pixel
 * plus 4 for the chroma of each pixel at full resolution (4:4:4: 6; 4:2:0: 3; gray: 2), plus 2 KB. The codec
 * keeps the count in 8 bits (256 wraps to 0), so the sample width grows past 255 components.
 */
function frameWithOutputRoom(width: number, height: number, subsampling: JpegSubsampling) {
  const { mcuWidth, mcuHeight } = TURBO_SUBSAMPLING[subsampling];
  const pad = (n: number, to: number) => Math.ceil(n / to) * to;
  const chromaBytes = subsampling === 'gray' ? 0 : (4 * 64) / (mcuWidth * mcuHeight);
  const worstCase = pad(width, mcuWidth) * pad(height, mcuHeight) * (2 + chromaBytes) + 2048;
  const bytesPerSample = Math.ceil(worstCase / (255 * width * height));
  const componentCount = Math.max(3, Math.ceil(worstCase / (bytesPerSample * width * height)));
  return { width, height, bitsPerSample: 8 * bytesPerSample, componentCount, isSigned: false };
}

async function encode(bitmap: Bitmap, options?: JpegEncodeOptions): Promise<Buffer> {
  const { JPEGEncoder } = await libJpegTurbo();
  const { width, height, data } = bitmap;
  const subsampling = options?.subsampling ?? '4:2:0';
  const encoder = new JPEGEncoder();
  try {
    // Alpha is dropped, as every JPEG encoder does: the samples go straight into the codec's heap as RGB (gray
    // output keeps their luma, which is the grey level of a grey input).
    const rgb = encoder.getDecodedBuffer(frameWithOutputRoom(width, height, subsampling));
    for (let from = 0, to = 0; from < data.length; from += 4, to += 3) {
      rgb[to] = data[from]!;
      rgb[to + 1] = data[from + 1]!;
      rgb[to + 2] = data[from + 2]!;
    }
    encoder.setQuality(options?.quality ?? JIMP_DEFAULT_QUALITY);
    encoder.setProgressive(false);
    encoder.setSubSampling(TURBO_SUBSAMPLING[subsampling].code);
    encoder.encode();
    return Buffer.from(encoder.getEncodedBuffer());
  } catch (thrown) {
    throw codecError('encode', thrown);
  } finally {
    encoder.delete();
  }
}

/** Jimp's format plugin for image/jpeg (see jimp-formats.ts). */
export const turboJpeg = () => ({ mime: 'image/jpeg' as const, hasAlpha: false, encode, decode });
