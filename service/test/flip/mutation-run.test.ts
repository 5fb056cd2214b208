import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mutate, seededRandom } from '../support/mutator';
import { disposeService, leftoverFiles, startService, type ServiceProcess } from '../../../testkit/server-process';
import { residentMb, timedFlip } from '../support/timed-flip';

const corpusDir = join(__dirname, '..', 'corpus');

// Small valid files of every format, a few layouts each: what the mutations start from.
const seeds = [
  ['png-rgb8.png', 'image/png'],
  ['png-interlaced.png', 'image/png'],
  ['png-palette-trns.png', 'image/png'],
  ['gif-animated.gif', 'image/gif'],
  ['gif-palette64.gif', 'image/gif'],
  ['bmp-8-palette.bmp', 'image/bmp'],
  ['bmp-24.bmp', 'image/bmp'],
  ['tiff-lzw.tiff', 'image/tiff'],
  ['tiff-palette.tiff', 'image/tiff'],
  ['tiff-tiled.tiff', 'image/tiff'],
  ['jpeg-baseline.jpg', 'image/jpeg'],
  ['jpeg-progressive.jpg', 'image/jpeg'],
].map(([file, mime]) => ({ bytes: readFileSync(join(corpusDir, file!)), mime: mime! }));

const MUTANTS_PER_FORMAT = 200;
const DECODE_BUDGET_MS = 2000;
// The budget, plus room for a thread to be replaced on a machine shared with other work.
const SLOWEST_ACCEPTED_MS = DECODE_BUDGET_MS + 2000;
// Resident memory may settle this far above its level after the warm-up: allocator pages kept for reuse.
const RSS_SLACK_MB = 120;

// A seeded run of mutated files (bit flips, lengths set to extremes, slices repeated or dropped, truncations)
// through one process per engine: every answer is a 200 or a JSON 4xx, none slow, the process the same one at
// the end, no file left behind, resident memory back near where it started.
for (const engine of ['jimp', 'sharp'] as const)
  describe(`mutated images (FLIP_ENGINE=${engine})`, () => {
    let service: ServiceProcess;
    before(async () => {
      service = await startService({ FLIP_ENGINE: engine, FLIP_DECODE_BUDGET_MS: String(DECODE_BUDGET_MS) });
    });
    after(() => disposeService(service));

    it(`answers ${MUTANTS_PER_FORMAT} mutants per format with 200 or 4xx, promptly, in the same process`, async (t) => {
      const pid = service.child.pid!;
      for (const seed of seeds) assert.equal((await timedFlip(service, seed.bytes, seed.mime)).status, 200);
      await sleep(500);
      const idleMb = residentMb(pid);

      const random = seededRandom(engine === 'jimp' ? 10 : 11);
      const counts = new Map<string, number>();
      const slow: string[] = [];
      let tried = 0;
      for (const mime of new Set(seeds.map((seed) => seed.mime))) {
        const ofFormat = seeds.filter((seed) => seed.mime === mime);
        for (let i = 0; i < MUTANTS_PER_FORMAT; i++) {
          const seed = ofFormat[i % ofFormat.length]!;
          const { status, code, ms } = await timedFlip(service, mutate(seed.bytes, random), mime);
          tried++;
          assert.ok(status < 500, `mutant ${i} of ${mime}: ${status} ${code}`);
          counts.set(`${status} ${code}`, (counts.get(`${status} ${code}`) ?? 0) + 1);
          if (ms > SLOWEST_ACCEPTED_MS) slow.push(`mutant ${i} of ${mime}: ${Math.round(ms)} ms`);
        }
      }
      await sleep(1000);
      const afterMb = residentMb(pid);
      t.diagnostic(`${tried} mutants: ${JSON.stringify(Object.fromEntries([...counts].sort()))}`);
      t.diagnostic(`resident memory: ${idleMb.toFixed(0)} MB after warm-up, ${afterMb.toFixed(0)} MB after the run`);

      assert.deepEqual(slow, []);
      assert.equal(service.child.exitCode, null, 'the service exited');
      const health = await fetch(`${service.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.headers.get('x-served-by')?.split('/')[1], String(pid), 'answered by the process started');
      assert.deepEqual(
        leftoverFiles(service.tmp).filter((name) => name.includes('job-')),
        [],
      );
      assert.ok(afterMb < idleMb + RSS_SLACK_MB, `resident memory grew from ${idleMb} MB to ${afterMb} MB`);
    });
  });
