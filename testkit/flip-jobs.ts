import assert from 'node:assert/strict';
import sharp from 'sharp';
import { getText } from './get-text';
import type { ServiceProcess } from './server-process';

export { getText };

/** The side of slowSmallPng: its pixel count is just under the default FLIP_MAX_PIXELS. */
export const slowSmallPngSide = 6300;

/**
 * One-colour PNG: about 0.5 MB on the wire (cheap to carry through nginx or Redis) and about the most Jimp work one
 * accepted image can be: 2–3 s on the project's 2-core machine, over a second on a CI runner twice as fast. Tests
 * that stop or kill a flip mid-run, or end it by a budget, build on it and keep their budgets well under a second.
 */
export function slowSmallPng(): Promise<Buffer> {
  const side = slowSmallPngSide;
  return sharp({ create: { width: side, height: side, channels: 3, background: '#0a6' } })
    .png()
    .toBuffer();
}

/**
 * Asserts a reply carries the flipped slowSmallPng: a PNG of the same size, whole (decoded to its last row, which a
 * truncated image fails; its header alone would not).
 */
export async function assertSlowSmallPngReply(response: Response): Promise<void> {
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'image/png');
  const png = Buffer.from(await response.arrayBuffer());
  const { info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [slowSmallPngSide, slowSmallPngSide]);
}

/**
 * FLIP_TIMEOUT_MS and FLIP_DECODE_BUDGET_MS out of the way, for a test of shutdown or crashes rather than budgets:
 * with the default 20 s budget, slowSmallPng ended as 422 here at a load average of 20-30 on 2 cores.
 */
export const unhurriedFlipEnv = { FLIP_TIMEOUT_MS: '600000', FLIP_DECODE_BUDGET_MS: '590000' };

export async function postSlowFlip(service: ServiceProcess): Promise<Response> {
  const body = await slowSmallPng();
  return fetch(`${service.url}/flip`, { method: 'POST', headers: { 'content-type': 'image/png' }, body });
}

/** Polls /metrics until some process reports the gauge at the value: how tests know a job is running or queued. */
export async function waitForGauge(service: ServiceProcess, name: string, value: number): Promise<void> {
  const line = new RegExp(`^${name} ${value}$`, 'm');
  for (let attempt = 0; attempt < 200; attempt++) {
    if (line.test((await getText(`${service.url}/metrics`)).body)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`${name} never reached ${value}`);
}
