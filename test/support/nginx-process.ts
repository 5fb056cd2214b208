import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * Debian's nginx in the foreground, its prefix a temp dir in which `configure` writes nginx.conf (and whatever it
 * includes). After the test nginx is stopped gracefully, then the dir is removed.
 */
export async function runNginx(
  t: TestContext,
  name: string,
  configure: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    // Started as root, nginx's workers run as an unprivileged user: they must reach the temp dirs inside.
    await chmod(dir, 0o755);
    await configure(dir);
  } catch (error) {
    await remove();
    throw error;
  }
  const nginx = spawn(
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  t.after(async () => {
    if (nginx.exitCode === null) {
      nginx.kill('SIGQUIT');
      await once(nginx, 'exit');
    }
    await remove();
  });
  return dir;
}
