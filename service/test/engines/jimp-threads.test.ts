import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { grayTiff } from '../support/gray-tiff';
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
