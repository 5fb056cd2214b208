// Process trees from /proc (Linux): the serving processes of a mode are a root process (server,
// cluster primary, PM2 daemon, container init) and everything it forked.
import { readdirSync, readFileSync } from 'node:fs';

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process exited between listing and reading
  }
}

function parentOf(pid: number): number | undefined {
  // The command name (field 2) is parenthesised and may contain spaces; the ppid follows ") <state> ".
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 1 ? Number(fields[1]) : undefined;
}

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === undefined) continue;
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
