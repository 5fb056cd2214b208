// Processes from /proc (Linux): their stat lines, and process trees: the serving processes of a mode are a root
// process (server, cluster primary, PM2 daemon, container init) and everything it forked.
import { readdirSync, readFileSync } from 'node:fs';

/** A file's text, or '' when it is gone: a process may exit between listing and reading. */
export function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The pids of the living processes. */
export function livePids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/**
 * A process's command name and the fields of /proc/<pid>/stat after it (state is [0], the ppid [1],
 * utime/stime/cutime/cstime [11..14]); undefined once it is gone. The name is parenthesised and may contain
 * spaces, so the fields start after its last ')'.
 */
export function procStat(pid: number): { comm: string; fields: string[] } | undefined {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    fields: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
  };
}

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const pid of livePids()) {
    const stat = procStat(pid);
    if (stat === undefined) continue;
    const parent = Number(stat.fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  return children;
}

/** The living processes a process forked itself (not their descendants). */
export function childrenOf(pid: number): number[] {
  return childrenByParent().get(pid) ?? [];
}

/** The roots and all their living descendants. */
export function processTree(roots: number[]): number[] {
  const children = childrenByParent();
  const tree: number[] = [];
  const pending = [...roots];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident set size of one process in bytes (0 once it is gone). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readOrEmpty(`/proc/${pid}/status`));
  return match ? Number(match[1]) * 1024 : 0;
}
