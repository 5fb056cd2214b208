import assert from 'node:assert/strict';
import { slowSmallPng, unhurriedFlipEnv } from './flip-jobs';
import { sample } from './metrics-text';
import { disposeService, startService } from './server-process';

export interface DeadlineSettings {
  /** What one slowSmallPng flip took in its flip thread on this machine just now. */
  slowFlipMs: number;
  /** FLIP_DECODE_BUDGET_MS and FLIP_TIMEOUT_MS, as a service's environment. */
  env: { FLIP_DECODE_BUDGET_MS: string; FLIP_TIMEOUT_MS: string };
}

/**
 * Settings for the deadline tests, derived from what slowSmallPng costs on this machine now rather than fixed:
 * a first slowSmallPng ends at the budget B as 422, and a flip that arrived just after it started meets its
 * deadline (1.5 B from arrival) before its own budget would end it (2 B after the first started). B is a quarter
 * of the measured flip, so the first job stays over budget even if the machine gets four times faster between
 * this measurement and the test (a shared runner's other work ending); the flip may arrive up to B / 2 after the
 * first started, a margin that grows with the machine's slowness.
 */
export async function deadlineSettings(): Promise<DeadlineSettings> {
  // The measured flip runs to its end however busy the machine is.
  const service = await startService(unhurriedFlipEnv);
  try {
    const response = await fetch(`${service.url}/flip`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: await slowSmallPng(),
    });
    assert.equal(response.status, 200, await response.clone().text());
    await response.arrayBuffer();
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const slowFlipMs = 1000 * sample(metrics, 'flip_job_duration_seconds_sum{outcome="ok"}');
    const budgetMs = Math.round(slowFlipMs / 4);
    return {
      slowFlipMs,
      env: { FLIP_DECODE_BUDGET_MS: String(budgetMs), FLIP_TIMEOUT_MS: String(Math.round(budgetMs * 1.5)) },
    };
  } finally {
    await disposeService(service);
  }
}
