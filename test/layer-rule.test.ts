// The layer rule of eslint.config.mjs fires on a back-edge between service/src's layers and stays quiet on the
// edges the architecture allows: real ESLint with the project's own configuration, on files that import across.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = join(__dirname, '..');
const eslint = new ESLint({ cwd: root });

async function layerProblems(file: string, imported: string): Promise<string[]> {
  const code = `import type * as imported from '${imported}';\nexport type Imported = typeof imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(root, 'service/src', file) });
  return result!.messages.filter((m) => m.ruleId === 'import/no-restricted-paths').map((m) => m.message);
}

describe('the layer rule (import/no-restricted-paths over service/src)', () => {
  const backEdges: [file: string, imported: string][] = [
    ['flip/flip-job.ts', '../queue/job-queue'],
    ['flip/structure/png.ts', '../../http/app'],
    ['queue/flip-processor.ts', '../http/routes'],
    ['queue/job-queue.ts', '../engines/flip-runner'],
    ['engines/jimp-flip.ts', '../observability/logger'],
    ['observability/metrics.ts', '../queue/flip-backlog'],
    ['observability/worker-metrics.ts', '../http/app'],
    ['process/shutdown.ts', '../observability/logger'],
    ['process/temp-dir.ts', '../flip/flip-task'],
    ['http/routes.ts', '../server'],
    ['config.ts', './flip/flip-task'],
    ['errors.ts', './http/app'],
  ];
  for (const [file, imported] of backEdges) {
    it(`refuses ${file} -> ${imported}`, async () => {
      const problems = await layerProblems(file, imported);
      assert.equal(problems.length, 1, `no layer error for ${file} -> ${imported}`);
      assert.match(problems[0]!, /may import only from .* \(layers point one way\)/);
    });
  }

  const allowed: [file: string, imported: string][] = [
    ['server.ts', './queue/job-queue'],
    ['http/routes.ts', '../queue/job-queue'],
    ['queue/job-queue.ts', '../flip/flip-scheduler'],
    ['observability/metrics.ts', '../flip/flip-scheduler'],
    ['observability/replica-metrics.ts', '../process/available-cpus'],
    ['engines/jimp-flip.ts', '../flip/flip-bitmap'],
    ['flip/flip-job.ts', '../errors'],
  ];
  for (const [file, imported] of allowed) {
    it(`allows ${file} -> ${imported}`, async () => {
      assert.deepEqual(await layerProblems(file, imported), []);
    });
  }
});
