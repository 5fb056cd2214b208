// A multi-process server answers its readiness probe as soon as its first worker listens; a load
// test started then would pile its simultaneous connections onto that worker. This waits until
// the expected number of distinct processes (X-Served-By) have answered.
import { get } from 'node:http';

function servedBy(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // agent: false gives every probe its own connection, so the balancer picks a process each time.
    const req = get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? (res.headers['x-served-by'] as string | undefined) : undefined);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Resolves with the processes seen once `expected` distinct ones answered GET /; throws after timeoutMs. */
export async function waitForServers(baseUrl: string, expected: number, timeoutMs = 60_000): Promise<Set<string>> {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < expected) {
    if (Date.now() > deadline)
      throw new Error(`only ${seen.size} of ${expected} processes answered on ${baseUrl}: ${[...seen].join(', ')}`);
    const server = await servedBy(`${baseUrl}/`);
    if (server && !seen.has(server)) seen.add(server);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}
