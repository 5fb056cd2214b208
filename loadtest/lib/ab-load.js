// The second article's load, `ab -c 500 -t 10` on the 1e7-loop route, shared by cpu.js (plain
// run) and crash.js (the same run while workers crash at random, ab's -r).
import http from 'k6/http';
import { BASE_URL, intEnv } from './env.js';
import { recordServedBy } from './served-by.js';
import {
  SUMMARY_TREND_STATS,
  httpTotals,
  line,
  percentileLines,
  percentiles,
  serverLines,
  summaryOutputs,
} from './summary.js';

const VUS = intEnv('VUS', 500);
const DURATION = __ENV.DURATION || '10s';

/** @type {import('k6/options').Options} */
export const abOptions = {
  scenarios: {
    // ab -c: a fixed number of clients each sending its next request as soon as the last one answered.
    // ab -t stops at the time limit and counts only completed requests; gracefulStop 0 does the same
    // (interrupted requests are neither completed nor failed), so requests/s = completed / DURATION.
    ab: { executor: 'constant-vus', vus: VUS, duration: DURATION, gracefulStop: '0s' },
  },
  noConnectionReuse: true, // ab without -k: a new TCP connection per request
  discardResponseBodies: true,
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: { http_req_failed: ['rate==0'] },
};

/** One ab request: GET /cpu, tallied per answering server. */
export function getCpu() {
  recordServedBy(http.get(`${BASE_URL}/cpu`, { tags: { name: 'GET /cpu' } }));
}

/**
 * handleSummary for an ab-style run.
 * @param {string} name script name
 * @param {string} title first line of the readable summary
 * @param {Record<string, any>} data the handleSummary argument
 */
export function abSummary(name, title, data) {
  const totals = httpTotals(data);
  const lines = [
    title,
    line('Concurrency Level', VUS),
    line('Time taken for tests', `${(totals.testRunMs / 1000).toFixed(3)} seconds`),
    line('Complete requests', totals.requests),
    line('Failed requests', totals.failed),
    line('Requests per second', `${totals.reqPerSec.toFixed(2)} [#/sec] (mean)`),
    ...serverLines(data),
    '',
    ...percentileLines(data),
  ];
  const report = { baseUrl: BASE_URL, vus: VUS, duration: DURATION, ...totals, percentiles: percentiles(data) };
  return summaryOutputs(name, report, lines, data);
}
