import type { Middleware } from 'koa';
import { hasNoBody, readBody } from './body';
import type { Config } from './config';
import { demoFlip } from './demo-flip';
import { HttpError } from './errors';
import { flipAxes, type FlipAxis } from './flip-bitmap';
import { flipJob } from './flip-job';
import type { FlipQueue } from './flip-queue';
import { parseImageMime } from './image-format';
import type { TempDir } from './temp-dir';

function parseAxis(value: unknown): FlipAxis {
  if (value === undefined) return 'vertical';
  const axis = flipAxes.find((candidate) => candidate === value);
  if (axis === undefined) throw new HttpError('invalid_parameter', `axis must be one of ${flipAxes.join(', ')}.`);
  return axis;
}

/** POST /flip: an image body comes back flipped in its own format; no body runs the demo job on the sample. */
export function flipRoute(config: Config['flip'], queue: FlipQueue, tempDir: TempDir): Middleware {
  return async (ctx) => {
    const axis = parseAxis(ctx.query.axis);
    if (hasNoBody(ctx.req)) {
      ctx.body = await demoFlip(queue, tempDir, config.sampleImage, axis, config.maxPixels);
      return;
    }
    const declared = parseImageMime(ctx.get('content-type'));
    if (declared === undefined) throw new HttpError('unsupported_media_type');
    const body = await readBody(ctx.req, config.maxBytes);
    const { mime, output } = await flipJob(queue, body, axis, config.maxPixels, declared);
    ctx.type = mime;
    ctx.body = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  };
}
