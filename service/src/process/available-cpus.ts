import { availableParallelism } from 'node:os';
import { readCgroupFile as readText } from './cgroup-file';

/** CPUs granted by the cgroup CPU quota (v2 `cpu.max`, else v1 `cfs_quota_us`/`cfs_period_us`), if any. */
export function cgroupCpuLimit(root = '/sys/fs/cgroup'): number | undefined {
  const v2 = readText(`${root}/cpu.max`);
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    return quota === 'max' ? undefined : quotaToCpus(Number(quota), Number(period));
  }
  const quota = readText(`${root}/cpu/cpu.cfs_quota_us`) ?? readText(`${root}/cpu,cpuacct/cpu.cfs_quota_us`);
  const period = readText(`${root}/cpu/cpu.cfs_period_us`) ?? readText(`${root}/cpu,cpuacct/cpu.cfs_period_us`);
  if (quota === undefined || period === undefined) return undefined;
  return quotaToCpus(Number(quota), Number(period));
}

function quotaToCpus(quota: number, period: number): number | undefined {
  if (!(quota > 0) || !(period > 0)) return undefined;
  return quota / period;
}

/**
 * How many CPU-bound instances this process should run: the smaller of the affinity mask and the cgroup quota
 * (rounded down, at least 1). os.availableParallelism() alone sees the host's cores inside a CPU-limited
 * container, so three replicas on one host would each start one instance per host core.
 */
export function availableCpus(root?: string): number {
  const affinity = availableParallelism();
  const quota = cgroupCpuLimit(root);
  const cpus = quota === undefined ? affinity : Math.min(affinity, Math.floor(quota));
  return Math.max(1, cpus);
}
