import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../service/src/http/job-view';

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

interface Answer {
  status: number;
  body: string;
}

async function getJob(url: string, id: string): Promise<Answer> {
  const response = await fetch(`${url}/jobs/${id}`);
  return { status: response.status, body: await response.text() };
}

function viewOf(id: string, { status, body }: Answer): JobView {
  assert.equal(status, 200, `GET /jobs/${id}: ${status} ${body}`);
  return JSON.parse(body) as JobView;
}

/** GET /jobs/:id, which must exist. */
export async function jobView(url: string, id: string): Promise<JobView> {
  return viewOf(id, await getJob(url, id));
}

/**
 * Polls GET /jobs/:id until the job completed or failed (bounded by timeoutMs). With onGatewayError, a poll that
 * the proxy answers with a gateway error (502, 504) is reported to it and polled again, as a client of the
 * async API would; without, it fails.
 */
export async function untilFinished(
  url: string,
  id: string,
  timeoutMs = 60_000,
  onGatewayError?: (answer: Answer) => void,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await getJob(url, id);
    if (onGatewayError && (answer.status === 502 || answer.status === 504)) {
      onGatewayError(answer);
    } else {
      const view = viewOf(id, answer);
      if (view.status === 'completed' || view.status === 'failed') return view;
    }
    await sleep(50);
  }
  assert.fail(`job ${id} did not finish within ${timeoutMs} ms`);
}

/** The error code of a JSON error answer. */
export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}
