// The stack mode runs with the compose `monitoring` profile; before each of its runs stops, this draws what
// Prometheus saw during the run: requests per second and p95 latency per replica over time, so the report shows
// how the load spread across replicas. Windows of 15 s: three 5 s scrapes, short enough for a 10 s CPU run.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart } from './svg-charts';

const STEP_S = 2;

// The load's requests only: health checks and scrapes would fill the idle replicas' lines.
const LOAD = 'route!~"/healthz|/readyz|/metrics"';
const QUERIES = [
  { unit: 'req/s', expr: `sum by (instance) (rate(http_request_duration_seconds_count{${LOAD}}[15s]))` },
  {
    unit: 'p95 s',
    expr: `histogram_quantile(0.95, sum by (instance, le) (rate(http_request_duration_seconds_bucket{${LOAD}}[15s])))`,
  },
];

interface RangeAnswer {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

async function queryRange(prometheusUrl: string, expr: string, startS: number, endS: number) {
  const url =
    `${prometheusUrl}/api/v1/query_range?query=${encodeURIComponent(expr)}` +
    `&start=${startS}&end=${endS}&step=${STEP_S}`;
  const answer = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as RangeAnswer;
  if (answer.status !== 'success') throw new Error(`Prometheus query_range failed: ${expr}`);
  return new Map(
    answer.data.result.map((r) => [
      `replica ${r.metric.instance ?? '?'}`,
      r.values.map(([t, v]): [number, number] => [t - startS, Number(v)]).filter(([, v]) => Number.isFinite(v)),
    ]),
  );
}

/**
 * Waits (bounded) until Prometheus holds a sample of every replica's request counters: a run's first requests
 * then count as growth from that sample, instead of being lost in the first sample of a series.
 */
export async function untilScraped(prometheusUrl: string, replicas: number, timeoutMs = 30_000): Promise<void> {
  const expr = 'count(count by (instance) (http_request_duration_seconds_count))';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const answer = (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as {
      data?: { result: Array<{ value: [number, string] }> };
    };
    if (Number(answer.data?.result[0]?.value[1] ?? 0) >= replicas) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  console.error(`prometheus: not every one of ${replicas} replicas scraped within ${timeoutMs} ms; charting anyway`);
}

/** The SVG of one run, from startedAtMs until now; the two last scrapes are waited for first. */
export async function prometheusChart(prometheusUrl: string, title: string, startedAtMs: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const startS = startedAtMs / 1000;
  const endS = Date.now() / 1000;
  const panels = await Promise.all(
    QUERIES.map(async ({ unit, expr }) => ({ unit, series: await queryRange(prometheusUrl, expr, startS, endS) })),
  );
  return lineChart(title, panels);
}

export type ChartedRun = 'flip' | 'cpu';

const CAPTIONS: Record<ChartedRun, string> = { flip: '10 concurrent flips', cpu: 'GET /cpu (k6)' };
const chartFile = (mode: string, run: ChartedRun): string => `prometheus-${mode}-${run}.svg`;

/** Writes the chart of one run into outDir; a failed query is logged, never fails the bench. */
export async function writePrometheusChart(
  prometheusUrl: string,
  outDir: string,
  mode: string,
  run: ChartedRun,
  startedAtMs: number,
): Promise<void> {
  const title = `${mode}, ${CAPTIONS[run]}: req/s and p95 per replica (Prometheus)`;
  try {
    writeFileSync(join(outDir, chartFile(mode, run)), await prometheusChart(prometheusUrl, title, startedAtMs));
  } catch (error) {
    console.error(`prometheus chart of ${mode} ${run}: ${String(error)}`);
  }
}

/** The report's section showing the charts that were drawn (none: an empty string). */
export function prometheusSection(outDir: string, modes: string[]): string {
  const present = modes.flatMap((mode) =>
    (Object.keys(CAPTIONS) as ChartedRun[])
      .map((run) => ({ file: chartFile(mode, run), caption: `${mode}, ${CAPTIONS[run]}` }))
      .filter((chart) => existsSync(join(outDir, chart.file))),
  );
  if (present.length === 0) return '';
  return [
    '',
    '## Seen by Prometheus',
    '',
    'Requests per second and p95 latency per replica over each run, as the monitoring profile scraped them every 5 s.',
    '',
    ...present.map((c) => `![${c.caption}](${c.file})`),
    '',
  ].join('\n');
}
