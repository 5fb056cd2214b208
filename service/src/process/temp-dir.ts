import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'flipstack-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The one directory a process keeps its demo-job files in: `<tmpdir>/flipstack-<pid>-XXXXXX`, one fresh
 * subdirectory per job, removed when the job ends, and the whole directory removed when the process exits.
 * A SIGKILLed process cannot clean up, so each new process first removes directories of dead processes.
 */
export class TempDir {
  readonly path: string;

  constructor(parent: string = tmpdir()) {
    removeOrphans(parent);
    this.path = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
    process.once('exit', () => this.removeSync());
  }

  async withJobDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(this.path, 'job-'));
    try {
      return await work(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  removeSync(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

function removeOrphans(parent: string): void {
  for (const name of readdirSync(parent)) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) rmSync(join(parent, name), { recursive: true, force: true });
  }
}
