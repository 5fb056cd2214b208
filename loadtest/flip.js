// The first article's test: 10 clients POST the same photo to /flip at the same moment, one
// request each. Prints when the first and the last reply arrived (since the start), which server
// answered each reply, and how many distinct servers answered.
//   k6 run loadtest/flip.js                                            # the bundled sample, via the stack
//   k6 run -e IMAGE=../shared/fixtures/photo-6.7mb.jpg -e BASE_URL=http://127.0.0.1:3000 loadtest/flip.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';
import { BASE_URL, intEnv } from './lib/env.js';
import { FORMAT, IMAGE, isImageOf } from './lib/image.js';
import { recordServedBy } from './lib/served-by.js';
import { SUMMARY_TREND_STATS, httpTotals, line, serverLines, summaryOutputs } from './lib/summary.js';

const VUS = intEnv('VUS', 10);
// Generous: in one process the 10th flip of a 15 s photo waits for the nine before it.
const TIMEOUT = __ENV.TIMEOUT || '600s';

const BODY = open(IMAGE, 'b');

// Milliseconds since the scenario started at which each request was sent / its reply arrived.
const sentAt = new Trend('flip_sent_at', true);
const replyAt = new Trend('flip_reply_at', true);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    flip: { executor: 'per-vu-iterations', vus: VUS, iterations: 1, maxDuration: '15m' },
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  thresholds: { http_req_failed: ['rate==0'] },
};

export default function () {
  const started = exec.scenario.startTime;
  const tags = { vu: String(exec.vu.idInTest) };
  sentAt.add(Date.now() - started, tags);
  const res = http.post(`${BASE_URL}/flip`, BODY, {
    headers: { 'Content-Type': FORMAT.type },
    responseType: 'binary',
    timeout: TIMEOUT,
    tags: { name: 'POST /flip' },
  });
  const at = Date.now() - started;
  const servedBy = recordServedBy(res);
  replyAt.add(at, { ...tags, served_by: servedBy });
  check(res, {
    'status is 200': (r) => r.status === 200,
    [`body is a non-empty ${FORMAT.type}`]: (r) =>
      r.headers['Content-Type'] === FORMAT.type && isImageOf(FORMAT, r.body),
  });
  const size = res.body instanceof ArrayBuffer ? res.body.byteLength : 0;
  console.log(`reply at ${(at / 1000).toFixed(2)} s from ${servedBy}: ${res.status}, ${size} bytes`);
}

/** @param {Record<string, any>} data */
export function handleSummary(data) {
  const totals = httpTotals(data);
  const reply = data.metrics.flip_reply_at ? data.metrics.flip_reply_at.values : { min: 0, max: 0 };
  const sent = data.metrics.flip_sent_at ? data.metrics.flip_sent_at.values : { min: 0, max: 0 };
  const report = {
    baseUrl: BASE_URL,
    image: IMAGE,
    imageBytes: BODY.byteLength,
    contentType: FORMAT.type,
    vus: VUS,
    requests: totals.requests,
    failed: totals.failed,
    startSpreadMs: sent.max - sent.min,
    firstReplyMs: reply.min,
    lastReplyMs: reply.max,
  };
  const lines = [
    `flip.js: ${VUS} concurrent POST ${BASE_URL}/flip, ${IMAGE.slice(IMAGE.lastIndexOf('/') + 1)} (${BODY.byteLength} bytes ${FORMAT.type})`,
    line('Complete requests', totals.requests),
    line('Failed requests', totals.failed),
    line('Requests sent within', `${report.startSpreadMs.toFixed(0)} ms of each other`),
    line('First reply after', `${(report.firstReplyMs / 1000).toFixed(2)} s`),
    line('Last reply after', `${(report.lastReplyMs / 1000).toFixed(2)} s`),
    ...serverLines(data),
  ];
  return summaryOutputs('flip', report, lines, data);
}
