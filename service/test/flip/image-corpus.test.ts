import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FlipAxis } from '../../src/flip/flip-bitmap';
import { flipDistance, gifTiming } from '../support/flip-distance';
import { decodeWithImageMagick, magick } from '../../../testkit/imagemagick';
import type { CorpusEntry } from '../support/make-image-corpus';
import { disposeService, startService, type ServiceProcess } from '../../../testkit/server-process';

const corpusDir = join(__dirname, '..', 'corpus');
const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as CorpusEntry[];

const magickFormat = (entry: CorpusEntry) => entry.file.split('.').pop()!;

/** A JPEG's sampling factors as ImageMagick reads them: `2x1,1x1,1x1` for 4:2:2, `1x1` for grey. */
const samplingFactors = (jpeg: Buffer) =>
  magick(['jpg:-', '-format', '%[jpeg:sampling-factor]', 'info:-'], jpeg).toString();

// Every file of the committed corpus (service/test/support/make-image-corpus.ts), on both engines: a valid
// variant flips to exactly the picture ImageMagick decodes, flipped (JPEG within a codec tolerance, in the
// input's chroma subsampling); every other file is refused with the code the manifest names.
for (const engine of ['jimp', 'sharp'] as const)
  describe(`the image corpus (FLIP_ENGINE=${engine})`, () => {
    let service: ServiceProcess;
    before(async () => {
      service = await startService({ FLIP_ENGINE: engine, FLIP_DECODE_BUDGET_MS: '3000' });
    });
    after(() => disposeService(service));

    for (const entry of manifest) {
      const expect = (engine === 'sharp' ? entry.sharp : undefined) ?? entry.expect;
      const axes: FlipAxis[] = expect === 'flip' ? ['vertical', 'horizontal'] : ['vertical'];
      it(`${entry.file}: ${expect === 'flip' ? 'flips exactly' : expect}`, async () => {
        const input = readFileSync(join(corpusDir, entry.file));
        for (const axis of axes) {
          const response = await fetch(`${service.url}/flip?axis=${axis}`, {
            method: 'POST',
            headers: { 'content-type': entry.mime },
            body: input,
          });
          const output = Buffer.from(await response.arrayBuffer());
          if (expect !== 'flip') {
            assert.ok(response.status >= 400 && response.status < 500, `answered ${response.status}`);
            assert.equal(JSON.parse(output.toString()).error.code, expect, output.toString());
            continue;
          }
          assert.equal(response.status, 200, output.toString());
          const reference = entry.reference === undefined ? input : readFileSync(join(corpusDir, entry.reference));
          const expected = decodeWithImageMagick(reference, magickFormat(entry));
          const actual = decodeWithImageMagick(output, magickFormat(entry));
          const distance = flipDistance(expected, actual, axis);
          assert.ok(typeof distance !== 'string', `${axis}: ${String(distance)}`);
          assert.ok(distance.max <= (entry.tolerance ?? 0), `${axis}: off by up to ${distance.max}`);
          if (entry.mime === 'image/gif') assert.deepEqual(gifTiming(output), gifTiming(input));
          if (entry.mime === 'image/jpeg') assert.equal(samplingFactors(output), samplingFactors(reference));
        }
      });
    }
  });
