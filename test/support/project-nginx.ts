import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from '../../testkit/free-port';
import { runNginx } from './nginx-process';
import { waitForHttp } from '../../testkit/wait-for-http';

const nginxDir = join(__dirname, '..', '..', 'nginx');

/**
 * Debian's nginx on 127.0.0.1 running the project's own nginx/nginx.conf and nginx/flipstack/*.conf (the image's
 * config), with container paths moved into a temp dir and `servers` as the upstream's members (what
 * upstream-watch writes in the container). Stopped after the test.
 */
export async function startProjectNginx(t: TestContext, servers: string[]): Promise<{ url: string }> {
  const port = await freePort();
  const statusPort = await freePort();
  await runNginx(t, 'flipstack-project-nginx', async (dir) => {
    const moved = (text: string) =>
      text
        .replaceAll('/etc/nginx/flipstack/', `${dir}/flipstack/`)
        .replaceAll('/run/nginx-upstream/servers.conf', `${dir}/servers.conf`)
        .replaceAll('/run/nginx.pid', `${dir}/nginx.pid`)
        .replaceAll('error_log /dev/stderr', `error_log ${dir}/error.log`)
        .replaceAll('listen 80 ', `listen 127.0.0.1:${port} `)
        .replaceAll('listen 8081;', `listen 127.0.0.1:${statusPort};`)
        .replaceAll('access_log /dev/stdout', `access_log ${dir}/access.log`);
    await cp(join(nginxDir, 'flipstack'), join(dir, 'flipstack'), { recursive: true });
    for (const name of await readdir(join(dir, 'flipstack'))) {
      const file = join(dir, 'flipstack', name);
      await writeFile(file, moved(await readFile(file, 'utf8')));
    }
    await writeFile(join(dir, 'nginx.conf'), moved(await readFile(join(nginxDir, 'nginx.conf'), 'utf8')));
    await writeFile(join(dir, 'servers.conf'), servers.map((server) => `server ${server} max_fails=0;\n`).join(''));
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`http://127.0.0.1:${statusPort}/nginx_status`);
  return { url };
}
