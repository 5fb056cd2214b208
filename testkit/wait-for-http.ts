import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls url until it answers 200, for at most timeoutMs; gives up at once when isAlive (the server's process,
 * say) says there is nothing left to wait for.
 */
export async function waitForHttp(url: string, timeoutMs = 15_000, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: the server exited (${last})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url}: ${last} after ${timeoutMs} ms`);
}
