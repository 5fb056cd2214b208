import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { availableCpus, cgroupCpuLimit } from '../../src/process/available-cpus';

describe('available CPUs', () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const cgroup = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'flipstack-cgroup-'));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), `${text}\n`);
    }
    return root;
  };

  it('reads a cgroup v2 quota', () => {
    assert.equal(cgroupCpuLimit(cgroup({ 'cpu.max': '150000 100000' })), 1.5);
    assert.equal(cgroupCpuLimit(cgroup({ 'cpu.max': 'max 100000' })), undefined);
  });

  it('reads a cgroup v1 quota', () => {
    assert.equal(cgroupCpuLimit(cgroup({ 'cpu/cpu.cfs_quota_us': '50000', 'cpu/cpu.cfs_period_us': '100000' })), 0.5);
    assert.equal(
      cgroupCpuLimit(cgroup({ 'cpu,cpuacct/cpu.cfs_quota_us': '300000', 'cpu,cpuacct/cpu.cfs_period_us': '100000' })),
      3,
    );
    assert.equal(
      cgroupCpuLimit(cgroup({ 'cpu/cpu.cfs_quota_us': '-1', 'cpu/cpu.cfs_period_us': '100000' })),
      undefined,
    );
  });

  it('takes the smaller of quota and affinity, rounded down, at least 1', () => {
    const cores = availableParallelism();
    assert.equal(availableCpus(cgroup({ 'cpu.max': '50000 100000' })), 1);
    assert.equal(availableCpus(cgroup({ 'cpu.max': `${(cores + 8) * 100000} 100000` })), cores);
    assert.equal(availableCpus(cgroup({})), cores);
    if (cores >= 2) assert.equal(availableCpus(cgroup({ 'cpu.max': '199999 100000' })), 1);
  });
});
