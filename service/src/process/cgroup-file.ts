import { readFileSync } from 'node:fs';

/** The trimmed text of a cgroup (or any kernel) file, or undefined where the file does not exist on this host. */
export function readCgroupFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
