import { setTimeout as sleep } from 'node:timers/promises';

interface ApiAnswer<T> {
  status: string;
  data: T;
  error?: string;
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const answer = (await response.json()) as ApiAnswer<T>;
  if (answer.status !== 'success') throw new Error(`${url}: ${answer.error ?? response.status}`);
  return answer.data;
}

/** A scalar-valued instant query (e.g. a sum), NaN when it has no result. */
export async function queryValue(prometheusUrl: string, expr: string): Promise<number> {
  const data = await api<{ result: Array<{ value: [number, string] }> }>(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  return data.result.length === 0 ? NaN : Number(data.result[0]!.value[1]);
}

export interface Target {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export async function activeTargets(prometheusUrl: string): Promise<Target[]> {
  return (await api<{ activeTargets: Target[] }>(`${prometheusUrl}/api/v1/targets?state=active`)).activeTargets;
}

/** Polls until check passes (returns true) or timeoutMs passes; the last reason is in the error. */
export async function eventually(description: string, check: () => Promise<string | true>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last = 'never checked';
  while (Date.now() < deadline) {
    try {
      const result = await check();
      if (result === true) return;
      last = result;
    } catch (error) {
      last = String(error);
    }
    await sleep(1000);
  }
  throw new Error(`${description} within ${timeoutMs} ms: ${last}`);
}
