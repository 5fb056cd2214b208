import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { availableMemory, cgroupMemoryLimit } from '../../src/process/available-memory';

const roots = mkdtempSync(join(tmpdir(), 'flipstack-cgroup-'));
after(() => rmSync(roots, { recursive: true, force: true }));

let count = 0;
function cgroupRoot(files: Record<string, string>): string {
  const root = join(roots, String(count++));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${text}\n`);
  }
  return root;
}

test('cgroup v2 memory.max gives the limit, "max" gives none', () => {
  assert.equal(cgroupMemoryLimit(cgroupRoot({ 'memory.max': '536870912' })), 512 * 1024 * 1024);
  assert.equal(cgroupMemoryLimit(cgroupRoot({ 'memory.max': 'max' })), undefined);
});

test('cgroup v1 limit_in_bytes gives the limit, its huge "unlimited" value gives none', () => {
  assert.equal(cgroupMemoryLimit(cgroupRoot({ 'memory/memory.limit_in_bytes': '1073741824' })), 1024 ** 3);
  assert.equal(cgroupMemoryLimit(cgroupRoot({ 'memory/memory.limit_in_bytes': '9223372036854771712' })), undefined);
});

test('available memory is the cgroup limit when set, else the host memory', () => {
  assert.equal(availableMemory(cgroupRoot({ 'memory.max': '268435456' })), 256 * 1024 * 1024);
  assert.equal(availableMemory(cgroupRoot({})), totalmem());
});
