import assert from 'node:assert/strict';

/** The value of one series in Prometheus exposition text, e.g. `metrics_instances_answered`. */
export function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  assert.ok(line, `no ${series} in:\n${text}`);
  return Number(line.split(' ')[1]);
}

/** GET / answered 200: the series the replica-metrics tests count. */
export const rootRequests = 'http_request_duration_seconds_count{method="GET",route="/",status="200"}';
