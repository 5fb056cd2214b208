import type { Middleware } from 'koa';
import { hasNoBody, readBody } from './body';
import type { Config } from '../config';
import { demoFlip } from './demo-flip';
import { ServiceError } from '../errors';
import { flipAxes, type FlipAxis } from '../flip/flip-bitmap';
import { flipJob, type FlipOptions } from '../flip/flip-job';
import type { Context } from 'koa';
import type { FlipScheduler } from '../flip/flip-scheduler';
import { parseImageMime, type ImageMime } from '../flip/image-format';
import type { TempDir } from '../process/temp-dir';

function parseAxis(value: unknown): FlipAxis {
  if (value === undefined) return 'vertical';
  const axis = flipAxes.find((candidate) => candidate === value);
  if (axis === undefined) throw new ServiceError('invalid_parameter', `axis must be one of ${flipAxes.join(', ')}.`);
  return axis;
}

function parseQuality(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const quality = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(quality >= 1 && quality <= 100))
    throw new ServiceError('invalid_parameter', 'quality must be a whole number from 1 to 100.');
  return quality;
}

export function flipOptions(ctx: Context, config: Config['flip']): FlipOptions {
  return {
    axis: parseAxis(ctx.query.axis),
    quality: parseQuality(ctx.query.quality, config.jpegQuality),
    maxPixels: config.maxPixels,
  };
}

/** An image body of a supported declared type, read up to FLIP_MAX_BYTES: POST /flip's and POST /jobs'. */
export async function readImageBody(
  ctx: Context,
  config: Config['flip'],
): Promise<{ body: Uint8Array; declared: ImageMime }> {
  const declared = parseImageMime(ctx.get('content-type'));
  if (declared === undefined) throw new ServiceError('unsupported_media_type');
  return { body: await readBody(ctx.req, config.maxBytes), declared };
}

/** POST /flip: an image body comes back flipped in its own format; no body runs the demo job on the sample. */
export function flipRoute(config: Config['flip'], scheduler: FlipScheduler, tempDir: TempDir): Middleware {
  return async (ctx) => {
    const options = flipOptions(ctx, config);
    if (hasNoBody(ctx.req)) {
      ctx.body = await demoFlip(scheduler, tempDir, config.sampleImage, options);
      return;
    }
    const { body, declared } = await readImageBody(ctx, config);
    const { mime, output } = await flipJob(scheduler, body, options, declared);
    ctx.type = mime;
    ctx.body = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  };
}
