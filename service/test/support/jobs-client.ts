import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../src/queue/redis-flips';

export interface Submitted {
  response: Response;
  json: { id?: string; status?: string; error?: { code: string; message: string } };
}

/** POST /jobs with an image body. */
export async function submitJob(url: string, body: Buffer, contentType: string, query = ''): Promise<Submitted> {
  const response = await fetch(`${url}/jobs${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { response, json: (await response.json()) as Submitted['json'] };
}

/** GET /jobs/:id, which must exist. */
export async function jobView(url: string, id: string): Promise<JobView> {
  const response = await fetch(`${url}/jobs/${id}`);
  const body = await response.text();
  assert.equal(response.status, 200, `GET /jobs/${id}: ${response.status} ${body}`);
  return JSON.parse(body) as JobView;
}

/** Polls GET /jobs/:id until the job completed or failed (bounded by timeoutMs). */
export async function untilFinished(url: string, id: string, timeoutMs = 60_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const view = await jobView(url, id);
    if (view.status === 'completed' || view.status === 'failed') return view;
    await sleep(50);
  }
  assert.fail(`job ${id} did not finish within ${timeoutMs} ms`);
}

/** The error code of a JSON error answer. */
export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}
