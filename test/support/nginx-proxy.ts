import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from '../../testkit/free-port';
import { runNginx } from './nginx-process';
import { waitForHttp } from '../../testkit/wait-for-http';

// Attempts nginx makes per request: the first plus retries.
const tries = 4;

function nginxConfig(dir: string, listenPort: number, upstreamPort: number): string {
  // PM2 cluster mode shares one port between its workers: node:cluster's primary accepts each connection and
  // hands it to a live worker. nginx never retries the peer that just failed, so the one address is listed once
  // per try, and max_fails=0 keeps a failure from taking it out of rotation: a retry is a new connection that
  // the primary gives to another worker.
  const peers = Array.from({ length: tries }, () => `    server 127.0.0.1:${upstreamPort} max_fails=0;`).join('\n');
  return `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  # $upstream_status lists every attempt ("502, 200"): one entry per line tells a retried request apart.
  log_format attempts '$request_method $uri $status [$upstream_status]';
  access_log ${dir}/access.log attempts;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  client_max_body_size 128m;

  upstream flipstack {
    least_conn;
${peers}
    # Below the service's KEEP_ALIVE_TIMEOUT_MS (65 s): nginx closes idle upstream connections first.
    keepalive 16;
    keepalive_timeout 60s;
  }

  server {
    listen 127.0.0.1:${listenPort};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header X-Request-Id $request_id;
    # A worker that crashed, was killed or is stopping refuses or resets the connection; retry elsewhere.
    # POST /flip too (non_idempotent): a flip has no side effect beyond its reply.
    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    proxy_next_upstream_tries ${tries};

    location / {
      proxy_pass http://flipstack;
      # node:cluster's primary never answers nor closes a connection it was handing to a worker that died
      # before taking it; only a read timeout turns that into a retry. / and /cpu answer in milliseconds.
      proxy_read_timeout 10s;
      proxy_next_upstream_timeout 25s;
    }

    location = /flip {
      proxy_pass http://flipstack;
      # Above FLIP_TIMEOUT_MS (60 s): the service answers 504 itself before nginx gives up and retries.
      proxy_read_timeout 65s;
      proxy_next_upstream_timeout 70s;
    }
  }
}
`;
}

export interface NginxRequest {
  method: string;
  uri: string;
  status: number;
  /** One upstream status per attempt; more than one means nginx retried. */
  attempts: string[];
}

export interface NginxProxy {
  url: string;
  /** Every request nginx answered so far, from its access log. */
  requests(): Promise<NginxRequest[]>;
}

function parseAccessLog(text: string): NginxRequest[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [, method = '', uri = '', status = '0', attempts = ''] = /^(\S+) (\S+) (\d+) \[(.*)\]$/.exec(line) ?? [];
      return { method, uri, status: Number(status), attempts: attempts.split(/, | : /) };
    });
}

/** Debian's nginx on 127.0.0.1 with a generated config in a temp dir, in front of upstreamPort; stopped after the test. */
export async function startNginx(t: TestContext, upstreamPort: number): Promise<NginxProxy> {
  const port = await freePort();
  const dir = await runNginx(t, 'flipstack-nginx', (dir) =>
    writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreamPort)),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`);
  return {
    url,
    requests: async () => parseAccessLog(await readFile(join(dir, 'access.log'), 'utf8')),
  };
}
