// The flip experiment through queue mode's async API: 10 clients each POST /jobs the same photo at the same
// moment, poll GET /jobs/{id} until the job has finished, then GET /jobs/{id}/result. Prints when the first
// and the last job completed (since the start, as the workers recorded it) and which worker ran each job.
//   make up MODE=queue && k6 run loadtest/jobs.js
//   k6 run -e IMAGE=../shared/fixtures/photo-6.7mb.jpg loadtest/jobs.js
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { BASE_URL, intEnv } from './lib/env.js';
import { FORMAT, IMAGE, isImageOf } from './lib/image.js';
import { recordServer } from './lib/served-by.js';
import { SUMMARY_TREND_STATS, httpTotals, line, serverLines, summaryOutputs } from './lib/summary.js';

const VUS = intEnv('VUS', 10);
const POLL_MS = intEnv('POLL_MS', 100);
// How long a client polls one job before giving up (queue wait included).
const MAX_WAIT_MS = intEnv('MAX_WAIT_MS', 600_000);

const BODY = open(IMAGE, 'b');

// Milliseconds since the scenario started at which each job was accepted / finished (the worker's clock).
const acceptedAt = new Trend('job_accepted_at', true);
const completedAt = new Trend('job_completed_at', true);
const failedJobs = new Counter('jobs_failed');

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    jobs: { executor: 'per-vu-iterations', vus: VUS, iterations: 1, maxDuration: '15m' },
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: { http_req_failed: ['rate==0'], jobs_failed: ['count==0'] },
};

/**
 * GET /jobs/{id} until the job completed or failed, or MAX_WAIT_MS passed.
 * @param {string} id
 * @returns {Record<string, any> | undefined} the last job view
 */
function pollUntilFinished(id) {
  const deadline = Date.now() + MAX_WAIT_MS;
  /** @type {Record<string, any> | undefined} */
  let view;
  while (Date.now() < deadline) {
    const res = http.get(`${BASE_URL}/jobs/${id}`, { tags: { name: 'GET /jobs/{id}' } });
    if (res.status !== 200) return undefined;
    view = /** @type {Record<string, any>} */ (res.json());
    if (view.status === 'completed' || view.status === 'failed') return view;
    sleep(POLL_MS / 1000);
  }
  return view;
}

export default function () {
  const started = exec.scenario.startTime;
  const submitted = http.post(`${BASE_URL}/jobs`, BODY, {
    headers: { 'Content-Type': FORMAT.type },
    tags: { name: 'POST /jobs' },
  });
  if (!check(submitted, { 'job accepted (202)': (r) => r.status === 202 })) {
    failedJobs.add(1);
    console.log(`job refused: ${submitted.status} ${submitted.body}`);
    return;
  }
  acceptedAt.add(Date.now() - started);
  const id = /** @type {{ id: string }} */ (submitted.json()).id;
  const view = pollUntilFinished(id);
  const completed = view !== undefined && view.status === 'completed';
  if (!completed) {
    failedJobs.add(1);
    console.log(`job ${id}: ${view ? `${view.status} ${JSON.stringify(view.error)}` : 'no answer'}`);
    return;
  }
  const at = Date.parse(view.finishedAt) - started;
  completedAt.add(at);
  recordServer(view.worker, true);
  const result = http.get(`${BASE_URL}/jobs/${id}/result`, {
    responseType: 'binary',
    tags: { name: 'GET /jobs/{id}/result' },
  });
  check(result, {
    'result is 200': (r) => r.status === 200,
    [`result is a non-empty ${FORMAT.type}`]: (r) =>
      r.headers['Content-Type'] === FORMAT.type && isImageOf(FORMAT, r.body),
  });
  console.log(`job ${id} completed at ${(at / 1000).toFixed(2)} s on ${view.worker} after ${view.ms} ms of work`);
}

/** @param {Record<string, any>} data */
export function handleSummary(data) {
  const totals = httpTotals(data);
  const done = data.metrics.job_completed_at ? data.metrics.job_completed_at.values : { min: 0, max: 0, count: 0 };
  const report = {
    baseUrl: BASE_URL,
    image: IMAGE,
    imageBytes: BODY.byteLength,
    vus: VUS,
    requests: totals.requests,
    failed: totals.failed,
    jobsCompleted: done.count,
    jobsFailed: data.metrics.jobs_failed ? data.metrics.jobs_failed.values.count : 0,
    firstCompletionMs: done.min,
    lastCompletionMs: done.max,
  };
  const lines = [
    `jobs.js: ${VUS} concurrent POST ${BASE_URL}/jobs, ${IMAGE.slice(IMAGE.lastIndexOf('/') + 1)} (${BODY.byteLength} bytes ${FORMAT.type})`,
    line('Jobs completed', report.jobsCompleted),
    line('Jobs failed', report.jobsFailed),
    line('HTTP requests', `${totals.requests} (${totals.failed} failed)`),
    line('First completion after', `${(report.firstCompletionMs / 1000).toFixed(2)} s`),
    line('Last completion after', `${(report.lastCompletionMs / 1000).toFixed(2)} s`),
    ...serverLines(data).map((text) =>
      text.replace('Distinct servers', 'Distinct workers').replace(/ replies\b/, ' jobs'),
    ),
  ];
  return summaryOutputs('jobs', report, lines, data);
}
