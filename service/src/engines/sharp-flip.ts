import { performance } from 'node:perf_hooks';
import sharp, { type Sharp } from 'sharp';
import { ownedBytes, type FlipOutcome, type FlipTask } from '../flip/flip-task';
import { jpegSubsampling, type JpegSubsampling } from '../flip/structure/jpeg';

// One libvips thread per job and no operation cache: the service runs one process per core and one job per
// process by default, and no image is ever processed twice, so a cache would only hold memory.
sharp.concurrency(1);
sharp.cache(false);

// libvips' jpegsave subsamples chroma 4:2:0 or not at all (subsample_mode), and writes a one-band image grey.
// An unknown layout is written 4:2:0, cameras' own.
const SHARP_SUBSAMPLINGS = new Set<JpegSubsampling | undefined>(['4:4:4', '4:2:0', 'gray', undefined]);

/**
 * Whether libvips writes this task's output as the service promises. Not BMP, which sharp cannot read, nor GIF,
 * which libvips re-quantizes on output, nor a JPEG whose chroma layout jpegsave cannot write (4:2:2, 4:4:0,
 * 4:1:1, 4:4:1): the flip threads' libjpeg-turbo keeps those.
 */
export function sharpWrites(task: FlipTask): boolean {
  if (task.mime === 'image/bmp' || task.mime === 'image/gif') return false;
  return task.mime !== 'image/jpeg' || SHARP_SUBSAMPLINGS.has(jpegSubsampling(task.input));
}

function encodeAs(pipeline: Sharp, task: FlipTask): Sharp {
  switch (task.mime) {
    case 'image/jpeg': {
      const subsampling = jpegSubsampling(task.input);
      // Without Huffman-table optimisation libvips streams the JPEG out in one pass: half the job's time for
      // the benchmark photo (330 → 160 ms) for 2 % more bytes. It is lossless, so the pixels are the same.
      const options = { quality: task.quality, optimiseCoding: false };
      if (subsampling === 'gray') return pipeline.toColourspace('b-w').jpeg(options);
      return pipeline.jpeg({ ...options, chromaSubsampling: subsampling === '4:4:4' ? '4:4:4' : '4:2:0' });
    }
    case 'image/png':
      return pipeline.png();
    case 'image/tiff':
      // sharp's TIFF default is JPEG compression; LZW keeps TIFF lossless as with Jimp.
      return pipeline.tiff({ compression: 'lzw' });
    case 'image/bmp':
    case 'image/gif':
      throw new Error(`${task.mime} runs on Jimp threads (sharpWrites)`);
  }
}

/**
 * The sharp engine: libvips decodes, flips and encodes in one pipeline on its own threads, so the event loop
 * stays free without a worker thread. EXIF orientation is applied first and metadata dropped, like Jimp.
 */
export async function flipWithSharp(task: FlipTask, budgetMs?: number): Promise<FlipOutcome> {
  const started = performance.now();
  // libvips counts whole seconds; 0 (the benchmark's direct calls pass no budget) means none.
  // A lossless format flips exactly, as on Jimp: libvips would otherwise convert the pixels to sRGB through an
  // embedded ICC profile (and drop it), changing every pixel of a PNG or TIFF that carries one. A JPEG is
  // re-encoded anyway and is converted (docs/image-formats.md).
  const ignoreIcc = task.mime !== 'image/jpeg';
  let pipeline = sharp(task.input, { limitInputPixels: task.maxPixels, ignoreIcc })
    .timeout({ seconds: budgetMs === undefined ? 0 : Math.ceil(budgetMs / 1000) })
    .autoOrient();
  if (task.axis !== 'horizontal') pipeline = pipeline.flip();
  if (task.axis !== 'vertical') pipeline = pipeline.flop();
  try {
    const { data, info } = await encodeAs(pipeline, task).toBuffer({ resolveWithObject: true });
    return {
      ok: true,
      output: ownedBytes(data),
      width: info.width,
      height: info.height,
      timings: { totalMs: performance.now() - started },
    };
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) return { ok: false, code: 'too_many_pixels', message };
    if (/^timeout:/.test(message)) {
      return { ok: false, code: 'image_too_complex', message: `the image took over the decode budget: ${message}` };
    }
    return { ok: false, code: 'invalid_image', message: `cannot decode the image: ${message}` };
  }
}
