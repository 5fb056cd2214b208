// CPU seconds spent by each part of a deployment, read from /proc and from the containers' cgroups (Linux,
// cgroup v1 or v2). A reading is cumulative; the difference of two readings is what a part spent between them.
import { spawnSync } from 'node:child_process';
import { livePids, processTree, procStat, readOrEmpty } from './process-tree';

/** Cumulative CPU seconds of one part of the machine. */
export type CpuReading = () => number;

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** Command name and user + system seconds of a process, its waited-for children included. */
function processStat(pid: number): { comm: string; seconds: number } | undefined {
  const stat = procStat(pid);
  if (stat === undefined) return undefined;
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(stat.fields[i]), 0);
  return { comm: stat.comm, seconds: ticks / clockTicks };
}

/** The machine's busy time over all cores (everything but idle and I/O wait), from /proc/stat. */
export const machineBusy: CpuReading = () => {
  const [, ...ticks] = (readOrEmpty('/proc/stat').split('\n')[0] ?? '').trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / clockTicks;
};

/** Every live process whose command name matches, e.g. the engine's docker-proxy processes. */
export function processesNamed(pattern: RegExp): CpuReading {
  return () =>
    livePids()
      .map(processStat)
      .filter((stat) => stat !== undefined && pattern.test(stat.comm))
      .reduce((sum, stat) => sum + (stat?.seconds ?? 0), 0);
}

/** A process and everything it forked, e.g. the node:cluster primary and its workers. */
export function processTreeOf(root: number): CpuReading {
  return () => processTree([root]).reduce((sum, pid) => sum + (processStat(pid)?.seconds ?? 0), 0);
}

/**
 * A container's whole cgroup, found from its main process: every process in it, the health checks Docker
 * runs inside it included.
 */
export function containerOf(pid: number): CpuReading {
  const lines = readOrEmpty(`/proc/${pid}/cgroup`).split('\n');
  const v1 = lines.find((line) => /^\d+:[^:]*\bcpuacct\b[^:]*:/.test(line));
  if (v1) {
    const [, controllers, path] = v1.split(':');
    const file = `/sys/fs/cgroup/${controllers}${path}/cpuacct.usage`;
    return () => Number(readOrEmpty(file) || 0) / 1e9;
  }
  const v2 = lines.find((line) => line.startsWith('0::'));
  if (!v2) throw new Error(`no cgroup CPU accounting for process ${pid}`);
  const file = `/sys/fs/cgroup${v2.slice(3)}/cpu.stat`;
  return () => Number(/^usage_usec (\d+)/m.exec(readOrEmpty(file))?.[1] ?? 0) / 1e6;
}

/** Sum of several readings, e.g. all replicas of one compose service. */
export function sumOf(readings: CpuReading[]): CpuReading {
  return () => readings.reduce((sum, reading) => sum + reading(), 0);
}

/** Runs work and returns what each named part spent meanwhile, in CPU seconds. */
export async function cpuSpent<T>(
  parts: Record<string, CpuReading>,
  work: () => Promise<T>,
): Promise<[T, Record<string, number>]> {
  const before = Object.fromEntries(Object.entries(parts).map(([name, read]) => [name, read()]));
  const result = await work();
  const spent = Object.fromEntries(Object.entries(parts).map(([name, read]) => [name, read() - (before[name] ?? 0)]));
  return [result, spent];
}
