import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TempDir } from '../../src/process/temp-dir';

describe('TempDir', () => {
  const parent = mkdtempSync(join(tmpdir(), 'flipstack-tempdir-test-'));
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('removes the directories of dead processes, keeps live ones, and makes its own', () => {
    // Pid 2**22 + 1 is above Linux's pid_max, so no process can have it.
    const dead = join(parent, `flipstack-${2 ** 22 + 1}-abc123`);
    const live = join(parent, `flipstack-${process.ppid}-def456`);
    const unrelated = join(parent, 'something-else');
    for (const dir of [dead, live, unrelated]) mkdirSync(dir);
    const tempDir = new TempDir(parent);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(live), true);
    assert.equal(existsSync(unrelated), true);
    assert.match(tempDir.path, new RegExp(`flipstack-${process.pid}-`));
    tempDir.removeSync();
    assert.equal(existsSync(tempDir.path), false);
  });

  it('gives each job a fresh directory and removes it on success and on failure', async () => {
    const tempDir = new TempDir(parent);
    await tempDir.withJobDir(async (dir) => writeFileSync(join(dir, 'a'), 'x'));
    await assert.rejects(
      tempDir.withJobDir(async (dir) => {
        writeFileSync(join(dir, 'b'), 'x');
        throw new Error('job failed');
      }),
      /job failed/,
    );
    assert.deepEqual(readdirSync(tempDir.path), []);
    tempDir.removeSync();
  });
});
