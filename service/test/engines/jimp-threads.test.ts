import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { grayTiff } from '../support/gray-tiff';
import { residentMb } from '../support/timed-flip';
import { encode, pattern } from '../../../testkit/images';
import { disposeService, startService, type ServiceProcess } from '../../../testkit/server-process';

// A valid 1 x 1 000 000 TIFF stored one row per strip: utif2 keeps its million-entry strip tables, and a flip
// thread's work on them, in the V8 heap.
const millionStrips = grayTiff({ width: 1, height: 1_000_000, rowsPerStrip: 1 }).bytes;

async function flip(service: ServiceProcess, body: Buffer, type: string) {
  const response = await fetch(`${service.url}/flip`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: response.status, servedBy: response.headers.get('x-served-by'), body: await response.text() };
}

describe('Jimp flip threads', () => {
  const services: ServiceProcess[] = [];
  after(() => Promise.all(services.map(disposeService)));
  const start = async (env: Record<string, string>) => {
    const service = await startService({ FLIP_MAX_BYTES: String(16 * 1024 * 1024), ...env });
    services.push(service);
    return service;
  };

  it('ends a thread that outgrows FLIP_THREAD_HEAP_MB with 422, and the same process flips on', async () => {
    const service = await start({ FLIP_THREAD_HEAP_MB: '16' });
    const outgrown = await flip(service, millionStrips, 'image/tiff');
    assert.equal(outgrown.status, 422);
    assert.equal(JSON.parse(outgrown.body).error.code, 'image_too_complex');
    const next = await flip(service, await encode(pattern(16, 16), 'image/png'), 'image/png');
    assert.equal(next.status, 200);
    assert.equal(service.child.exitCode, null, 'the service exited');
    assert.equal(next.servedBy?.split('/')[1], String(service.child.pid), 'answered by the process started');
  });

  it('gives the same file room enough under the default heap', async () => {
    const service = await start({});
    assert.equal((await flip(service, millionStrips, 'image/tiff')).status, 200);
  });
});

describe('idle flip threads', () => {
  let service: ServiceProcess | undefined;
  after(() => service && disposeService(service));

  it('are renewed after FLIP_THREAD_IDLE_MS, giving back what a burst of large JPEGs grew', async () => {
    const idleMs = 300;
    service = await startService({ FLIP_THREAD_IDLE_MS: String(idleMs), FLIP_MAX_BYTES: String(32 * 1024 * 1024) });
    const pid = service.child.pid!;
    const small = await encode(pattern(64, 64), 'image/jpeg');
    assert.equal((await flip(service, small, 'image/jpeg')).status, 200);
    await setTimeout(idleMs * 3);
    const idleMb = residentMb(pid);
    // 18 megapixels, the benchmark photo's size: the codec's WebAssembly heap grows to hold it and never shrinks.
    const large = await encode(pattern(5640, 3172), 'image/jpeg');
    for (let i = 0; i < 2; i++) assert.equal((await flip(service, large, 'image/jpeg')).status, 200);
    const burstMb = residentMb(pid);
    // Measured here: 100 MB idle, about 400 after the burst, 130-150 once the threads were renewed.
    assert.ok(burstMb - idleMb > 150, `the burst grew resident memory only from ${idleMb} to ${burstMb} MB`);
    const settledMb = await settledResidentMb(pid, idleMb + (burstMb - idleMb) / 3, 20_000);
    assert.ok(
      settledMb <= idleMb + (burstMb - idleMb) / 3,
      `resident memory stayed at ${settledMb} MB after the burst (idle ${idleMb} MB, burst ${burstMb} MB)`,
    );
    // The fresh threads flip, in the same process.
    assert.equal((await flip(service, small, 'image/jpeg')).status, 200);
    assert.equal(service.child.exitCode, null);
  });
});

/** Resident memory once it falls to `targetMb`, or its last reading when `withinMs` runs out first. */
async function settledResidentMb(pid: number, targetMb: number, withinMs: number): Promise<number> {
  const until = Date.now() + withinMs;
  let mb = residentMb(pid);
  while (mb > targetMb && Date.now() < until) {
    await setTimeout(200);
    mb = residentMb(pid);
  }
  return mb;
}
