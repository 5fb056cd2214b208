import assert from 'node:assert/strict';
import { get } from 'node:http';

/**
 * GET on a fresh connection, so that under node:cluster each call may reach another worker. A connection silent
 * for timeoutMs fails instead of waiting for ever.
 */
export function getText(url: string, timeoutMs = 30_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Sends `requests` GET / on fresh connections; resolves with the pids that answered (from the body). */
export async function servingPids(baseUrl: string, requests: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < requests; i++) {
    const { status, body } = await getText(`${baseUrl}/`);
    assert.equal(status, 200);
    pids.add(Number(/pid: (\d+)/.exec(body)![1]));
  }
  return pids;
}
