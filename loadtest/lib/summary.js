// End-of-test reporting shared by the scripts: figures pulled from k6's summary data, an
// ab-style readable text, and handleSummary outputs (stdout + <name>-summary.txt/.json).
import { SUMMARY_DIR } from './env.js';
import { servers } from './served-by.js';

/** The percentiles ApacheBench prints ("Percentage of the requests served within a certain time"). */
export const AB_PERCENTILES = [50, 66, 75, 80, 90, 95, 98, 99, 100];

/** Trend statistics every script keeps in its summary (options.summaryTrendStats). */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'count', ...AB_PERCENTILES.map((p) => `p(${p})`)];

/**
 * Request totals as ab reports them.
 * @param {Record<string, any>} data the handleSummary argument
 */
export function httpTotals(data) {
  const reqs = data.metrics.http_reqs;
  const failed = data.metrics.http_req_failed;
  return {
    requests: reqs ? reqs.values.count : 0,
    failed: failed ? failed.values.passes : 0,
    reqPerSec: reqs ? reqs.values.rate : 0,
    testRunMs: data.state.testRunDurationMs,
  };
}

/**
 * The ab percentile table of a trend metric, in milliseconds.
 * @param {Record<string, any>} data
 * @param {string} [metric]
 * @returns {{ p: number, ms: number }[]}
 */
export function percentiles(data, metric = 'http_req_duration') {
  const values = data.metrics[metric] ? data.metrics[metric].values : {};
  return AB_PERCENTILES.map((p) => ({ p, ms: values[`p(${p})`] || 0 }));
}

/**
 * Every threshold and whether it held.
 * @param {Record<string, any>} data
 * @returns {{ metric: string, expression: string, ok: boolean }[]}
 */
export function thresholdResults(data) {
  /** @type {{ metric: string, expression: string, ok: boolean }[]} */
  const results = [];
  for (const [metric, m] of Object.entries(data.metrics)) {
    for (const [expression, t] of Object.entries(m.thresholds || {})) {
      results.push({ metric, expression, ok: Boolean(/** @type {any} */ (t).ok) });
    }
  }
  return results;
}

/**
 * A "label: value" line aligned like ab's output.
 * @param {string} label
 * @param {string | number} value
 */
export function line(label, value) {
  return `  ${`${label}:`.padEnd(24)}${value}`;
}

/**
 * Lines listing the servers that answered, busiest first.
 * @param {Record<string, any>} data
 */
export function serverLines(data) {
  const list = servers(data);
  return [
    line('Distinct servers', list.length),
    ...list.map(
      (s) =>
        `    ${s.server.padEnd(40)}${s.replies} replies${s.ok === s.replies ? '' : ` (${s.replies - s.ok} not 200)`}`,
    ),
  ];
}

/**
 * ab's "Percentage of the requests served within a certain time (ms)" block.
 * @param {Record<string, any>} data
 */
export function percentileLines(data) {
  return [
    'Percentage of the requests served within a certain time (ms)',
    ...percentiles(data).map(
      ({ p, ms }) =>
        `  ${`${p}%`.padStart(4)}  ${String(Math.round(ms)).padStart(7)}${p === 100 ? ' (longest request)' : ''}`,
    ),
  ];
}

/**
 * handleSummary's return value: the text on stdout and in <name>-summary.txt, the report plus
 * k6's full summary data in <name>-summary.json (what `make bench` reads).
 * @param {string} name script name, e.g. "flip"
 * @param {Record<string, unknown>} report the script's own figures
 * @param {string[]} lines readable summary, without the thresholds block
 * @param {Record<string, any>} data the handleSummary argument
 * @returns {Record<string, string>}
 */
export function summaryOutputs(name, report, lines, data) {
  const thresholds = thresholdResults(data);
  const text = [
    '',
    ...lines,
    '',
    'Thresholds',
    ...thresholds.map((t) => `  ${t.ok ? 'ok    ' : 'FAILED'} ${t.metric} ${t.expression}`),
    '',
  ].join('\n');
  const json = JSON.stringify(
    { script: `${name}.js`, report: { ...report, thresholds, servers: servers(data) }, k6: data },
    null,
    2,
  );
  return {
    stdout: text,
    [`${SUMMARY_DIR}/${name}-summary.txt`]: text,
    [`${SUMMARY_DIR}/${name}-summary.json`]: json,
  };
}
