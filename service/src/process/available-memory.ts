import { totalmem } from 'node:os';
import { readCgroupFile } from './cgroup-file';

/** Bytes granted by the cgroup memory limit (v2 `memory.max`, else v1 `memory.limit_in_bytes`), if any. */
export function cgroupMemoryLimit(root = '/sys/fs/cgroup'): number | undefined {
  const limit = readCgroupFile(`${root}/memory.max`) ?? readCgroupFile(`${root}/memory/memory.limit_in_bytes`);
  if (limit === undefined || limit === 'max') return undefined;
  const bytes = Number(limit);
  // cgroup v1 spells "no limit" as a huge page-aligned number (2^63 - 4096 on x86-64), larger than any host.
  if (!Number.isFinite(bytes) || bytes <= 0 || bytes >= Number.MAX_SAFE_INTEGER) return undefined;
  return bytes;
}

/** Memory this process may use: the cgroup limit inside a memory-limited container, else the host's memory. */
export function availableMemory(root?: string): number {
  return Math.min(cgroupMemoryLimit(root) ?? Number.POSITIVE_INFINITY, totalmem());
}
