import { performance } from 'node:perf_hooks';
import sharp, { type Sharp } from 'sharp';
import { ownedBytes, type FlipOutcome, type FlipTask } from '../flip/flip-task';

// One libvips thread per job and no operation cache: the service runs one process per core and one job per
// process by default, and no image is ever processed twice, so a cache would only hold memory.
sharp.concurrency(1);
sharp.cache(false);

function encodeAs(pipeline: Sharp, task: FlipTask): Sharp {
  switch (task.mime) {
    case 'image/jpeg':
      // Without Huffman-table optimisation libvips streams the JPEG out in one pass: half the job's time for
      // the benchmark photo (330 → 160 ms) for 2 % more bytes. It is lossless, so the pixels are the same.
      return pipeline.jpeg({ quality: task.quality, optimiseCoding: false });
    case 'image/png':
      return pipeline.png();
    case 'image/tiff':
      // sharp's TIFF default is JPEG compression; LZW keeps TIFF lossless as with Jimp.
      return pipeline.tiff({ compression: 'lzw' });
    case 'image/bmp':
    case 'image/gif':
      throw new Error(`${task.mime} runs on Jimp threads (sharp-runner.ts)`);
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
