// report.md from one run's results: tables, chart links, the articles beside ours, machine facts.
import type { AbResult } from './ab';
import type { CostRatio } from './cpu-cost';
import { idealMakespanMs, type BenchResults, type ModeResult } from './results';

// The articles' published figures, quoted from ../shared/articles.md: their authors' machines, never ours.
const FIRST_ARTICLE = {
  title: 'How to scale your Node.js server using clustering',
  url: 'https://www.freecodecamp.org/news/how-to-scale-your-node-js-server-using-clustering-c8d43c656e8f',
  machine: 'MacBook Pro 15" 2016, 2.7 GHz Intel Core i7, 8 logical cores',
  cores: 8,
  oneFlipMs: 3800,
  standard: { firstS: 16, lastS: 40 },
  cluster: { firstS: 10, lastS: 14 },
};
const SECOND_ARTICLE = {
  title: 'scaling with the Node.js cluster module (ApacheBench)',
  machine: '8 logical cores (os.cpus().length = 8)',
  cores: 8,
  standardReqPerSec: 308.76,
  clusterReqPerSec: 2037.39,
  crash: '20,200 requests, 12 failed (Connect 0, Receive 4, Length 4, Exceptions 4)',
};

const seconds = (ms: number, digits = 1): string => `${(ms / 1000).toFixed(digits)} s`;
const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
const fixed = (n: number, digits = 1): string => n.toFixed(digits);

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function isAb(ab: AbResult | { error: string }): ab is AbResult {
  return !('error' in ab);
}

function flipRows(results: BenchResults): string[][] {
  return results.modes
    .filter((m) => m.flip)
    .map((m) => {
      const flip = m.flip as NonNullable<ModeResult['flip']>;
      const ideal = idealMakespanMs(results.flips, m.concurrency, flip.aloneMs);
      return [
        m.name,
        String(m.concurrency),
        seconds(flip.aloneMs, 2),
        seconds(flip.firstReplyMs),
        `× ${fixed(flip.firstReplyMs / flip.aloneMs, 2)}`,
        seconds(flip.lastReplyMs),
        seconds(ideal),
        `× ${fixed(flip.lastReplyMs / ideal, 2)}`,
        String(flip.distinctServers),
        `${flip.failed} / ${flip.requests}`,
        mib(flip.peakRssBytes),
      ];
    });
}

function cpuRows(results: BenchResults): string[][] {
  return results.modes
    .filter((m) => m.cpu)
    .map((m) => {
      const cpu = m.cpu as NonNullable<ModeResult['cpu']>;
      const ab = cpu.ab;
      return [
        m.name,
        fixed(cpu.reqPerSec),
        `${cpu.failed} / ${cpu.requests}`,
        `${Math.round(cpu.p50Ms)} / ${Math.round(cpu.p99Ms)} ms`,
        isAb(ab) ? fixed(ab.reqPerSec) : 'failed',
        isAb(ab) ? `${ab.failed + ab.non2xx} / ${ab.completed}` : ab.error,
        isAb(ab) ? `${ab.percentiles['50'] ?? 'n/a'} / ${ab.percentiles['99'] ?? 'n/a'} ms` : 'n/a',
        String(cpu.distinctServers),
        mib(cpu.peakRssBytes),
      ];
    });
}

function cpuCostLines(results: BenchResults): string[] {
  const cost = results.cpuCost;
  if (!cost) return ['Not measured in this run.'];
  if ('error' in cost) return [`Not measured: ${cost.error}`];
  const row = (client: string, ratio: CostRatio) => [
    client,
    `${fixed(ratio.serviceMs, 2)} ms`,
    `${fixed(ratio.articleMs, 2)} ms`,
    `**× ${fixed(ratio.ratio, 2)}**`,
    ratio.ratios.map((r) => fixed(r, 2)).join(', '),
    ratio.ratio <= 1.1 ? 'met' : 'not met',
    `${fixed(ratio.serviceCpuMs, 2)} / ${fixed(ratio.articleCpuMs, 2)} ms: **× ${fixed(ratio.cpuRatio, 2)}**`,
    ratio.cpuRatio <= 1.1 ? 'met' : 'not met',
  ];
  const { loop } = cost;
  const loopLines =
    'error' in loop
      ? [`The loop alone was not measured: ${loop.error}`]
      : [
          `The loop alone (loadtest/bench/cpu-loop.ts, \`CPU_ITERATIONS\`=${loop.iterations}): the innermost loop ` +
            `TurboFan compiled for the service's burner is ${loop.identical ? '**the same instructions as**' : '**not the same as**'} ` +
            `the article's \`for (let index = 0; index < 1e7; index++);\` (\`node --print-opt-code\`: ` +
            `${loop.serviceLoop.length ? loop.serviceLoop.map((text) => `\`${text}\``).join('; ') : 'not found'}). ` +
            `Timed alone, alternating in one process: ${fixed(loop.serviceMs, 2)} ms against ` +
            `${fixed(loop.articleMs, 2)} ms a call.`,
        ];
  return [
    `\`ab -c 1 -n ${cost.requests}\`, ${cost.rounds} rounds alternating between \`GET /cpu\` (Koa, one process, ` +
      "default `CPU_ITERATIONS`) and the second article's plain `http.createServer` with its empty loop " +
      '(loadtest/bench/article-server.js), on a new connection per request as the article ran ab, and with ' +
      '`-k`. Per request: the median over the rounds of ab’s mean; the ratio is the median of the rounds’ ratios ' +
      '(all of them listed: the spread is the machine’s noise). CPU: what each server process spent over all ' +
      'its rounds ÷ its requests, which other work on the machine disturbs far less. Target ≤ × 1.10.',
    '',
    ...table(
      [
        'ab',
        '`GET /cpu`',
        'article',
        'ratio',
        'rounds’ ratios',
        'target',
        'CPU per request, service / article',
        'target',
      ],
      [row('`ab -c 1` (new connections)', cost.newConnections), row('`ab -k -c 1` (keep-alive)', cost.keepAlive)],
    ),
    '',
    ...loopLines,
  ];
}

function ratioRows(results: BenchResults): string[][] {
  const base = results.modes.find((m) => m.name === 'standard');
  if (!base?.flip || !base.cpu) return [];
  const baseAb = base.cpu.ab;
  return results.modes
    .filter((m) => m.name !== 'standard' && m.flip && m.cpu)
    .map((m) => {
      const flip = m.flip as NonNullable<ModeResult['flip']>;
      const cpu = m.cpu as NonNullable<ModeResult['cpu']>;
      return [
        `${m.name} ÷ standard`,
        `× ${fixed(flip.firstReplyMs / (base.flip?.firstReplyMs ?? 1), 2)}`,
        `× ${fixed(flip.lastReplyMs / (base.flip?.lastReplyMs ?? 1), 2)}`,
        `× ${fixed(cpu.reqPerSec / (base.cpu?.reqPerSec ?? 1), 2)}`,
        isAb(cpu.ab) && isAb(baseAb) ? `× ${fixed(cpu.ab.reqPerSec / baseAb.reqPerSec, 2)}` : 'n/a',
      ];
    });
}

const times = (n: number): string => `× ${fixed(n, 2)}`;

/** The articles' figures and this run's, side by side only as ratios: the machines differ. */
function besideArticles(results: BenchResults): string[] {
  const mode = (name: string) => results.modes.find((m) => m.name === name);
  const standard = mode('standard');
  const cluster = mode('cluster');
  const cores = Number(results.machine['CPU cores available']);
  const here = `${results.machine['CPU model']}, ${cores} cores`;
  const a1 = FIRST_ARTICLE;
  const a2 = SECOND_ARTICLE;
  const ourMakespan =
    standard?.flip && cluster?.flip ? times(cluster.flip.lastReplyMs / standard.flip.lastReplyMs) : 'not measured';
  const abOf = (m: ModeResult | undefined) => (m?.cpu && isAb(m.cpu.ab) ? m.cpu.ab.reqPerSec : undefined);
  const [abStandard, abCluster] = [abOf(standard), abOf(cluster)];
  const ourThroughput =
    abStandard && abCluster
      ? `${times(abCluster / abStandard)} (${times(abCluster / abStandard / cores)} per core)`
      : 'not measured';
  const crash = results.crash && !('skipped' in results.crash) ? results.crash.ab : undefined;
  return [
    '## Beside the articles',
    '',
    `Published figures are quoted from the articles (their authors' machines); this run's are from ${here}. ` +
      'Absolute times cannot be compared across machines, so each row sets a ratio measured on one machine ' +
      'beside a ratio measured on the other. The ideal cluster ÷ one process makespan for 10 flips on C cores is ' +
      '⌈10/C⌉ ÷ 10.',
    '',
    ...table(
      ['experiment', 'published (article, its machine)', 'published ratio', 'this run, ratio'],
      [
        [
          '10 concurrent flips: last reply, cluster ÷ one process',
          `[${a1.title}](${a1.url}) (${a1.machine}): one process first ${a1.standard.firstS} s, last ${a1.standard.lastS} s; cluster of 8 first ≈ ${a1.cluster.firstS} s, last ≈ ${a1.cluster.lastS} s`,
          `${times(a1.cluster.lastS / a1.standard.lastS)} (ideal on 8 cores × 0.20)`,
          `${ourMakespan} (ideal on ${cores} cores × ${fixed(Math.ceil(10 / cores) / 10, 2)})`,
        ],
        [
          'one flip of the 6.7 MB photo',
          `${a1.title}: about ${a1.oneFlipMs} ms`,
          '–',
          `T = ${results.flipMs ? seconds(results.flipMs) : 'n/a'} (FLIP_ENGINE default; see \`npm run bench:job\` for engine ratios)`,
        ],
        [
          '`ab -c 500 -t 10`: req/s, cluster ÷ one process',
          `Second article, ${a2.title} (${a2.machine}): ${a2.standardReqPerSec} → ${a2.clusterReqPerSec} req/s`,
          `${times(a2.clusterReqPerSec / a2.standardReqPerSec)} (${times(a2.clusterReqPerSec / a2.standardReqPerSec / a2.cores)} per core)`,
          ourThroughput,
        ],
        [
          'crash run, `ab -r`: failed requests',
          `Second article: ${a2.crash}`,
          `${fixed((100 * 12) / 20200, 2)} % failed`,
          crash && isAb(crash)
            ? `${fixed((100 * crash.failed) / Math.max(1, crash.completed), 2)} % failed (see Crash run)`
            : 'not measured',
        ],
      ],
    ),
    '',
  ];
}

/** What ab's Length class holds in this run: 200s from a restarted worker, and error bodies. */
function lengthClassLines(ab: AbResult | { error: string }): string[] {
  const general =
    "**ab's Length class.** ab takes the first reply's body length as the norm and counts every later body of " +
    'another length as failed, whatever its status. The body is `Process handled by pid: <pid>`, so a reply from ' +
    'a worker restarted with a longer PID counts under Length although it is a 200, and so does every non-2xx ' +
    'answer, whose JSON error body has another length.';
  if (!isAb(ab)) return [general];
  const pidOnly = Math.max(0, ab.failures.length - ab.non2xx);
  return [
    `${general} In this run: Length ${ab.failures.length}, non-2xx ${ab.non2xx}, so at least ${pidOnly} ` +
      'Length failures are 200s from restarted workers and up to ' +
      `${Math.min(ab.failures.length, ab.non2xx)} are error answers. Connect, Receive and Exceptions ` +
      `(${ab.failures.connect} / ${ab.failures.receive} / ${ab.failures.exceptions}) are failed connections.`,
  ];
}

function crashSection(results: BenchResults): string[] {
  const crash = results.crash;
  if (!crash) return [];
  if ('skipped' in crash) return ['## Crash run', '', `Not measured: ${crash.skipped}.`, ''];
  const ab = crash.ab;
  return [
    '## Crash run',
    '',
    `The stack started with \`CRASH_AFTER_MS_MAX=${crash.crashAfterMsMax}\`: every worker exits at a random moment ` +
      'within that time and PM2 starts a new one; nginx retries a request whose worker died on another replica.',
    '',
    ...table(
      ['client', 'completed', 'failed', 'Connect / Receive / Length / Exceptions', 'non-2xx', 'req/s'],
      [
        isAb(ab)
          ? [
              `\`ab -r -c ${results.cpu.vus} -t ${results.cpu.seconds}\` (literal)`,
              String(ab.completed),
              String(ab.failed),
              `${ab.failures.connect} / ${ab.failures.receive} / ${ab.failures.length} / ${ab.failures.exceptions}`,
              String(ab.non2xx),
              fixed(ab.reqPerSec),
            ]
          : ['`ab -r` (literal)', 'failed', ab.error, '', '', ''],
        [
          'k6 `loadtest/crash.js`',
          String(crash.k6.requests),
          String(crash.k6.failed),
          'n/a (k6 counts a failed connection or a non-2xx status)',
          'in failed',
          fixed(crash.k6.reqPerSec),
        ],
      ],
    ),
    '',
    ...lengthClassLines(ab),
    '',
  ];
}

/** Every stack mode (inline, queue, …) beside the raw node:cluster runner on the same host, in one run. */
function stackSection(results: BenchResults): string[] {
  const cluster = results.modes.find((m) => m.name === 'cluster');
  const stacks = results.modes.filter((m) => m.name.startsWith('stack') && m.cpu);
  if (!cluster?.cpu || stacks.length === 0) return [];
  const clusterAb = cluster.cpu.ab;
  return [
    '## Stack ÷ raw node:cluster',
    '',
    'Requests per second on `GET /cpu` through nginx and the replicas, divided by the node:cluster runner on the ' +
      'same host in this run. Target ≥ × 0.90.',
    '',
    ...table(
      ['mode', 'k6 req/s ratio', 'ab req/s ratio', 'flip makespan ratio'],
      stacks.map((m) => {
        const cpu = m.cpu as NonNullable<ModeResult['cpu']>;
        return [
          `${m.name} ÷ cluster`,
          times(cpu.reqPerSec / (cluster.cpu?.reqPerSec ?? 1)),
          isAb(cpu.ab) && isAb(clusterAb) ? times(cpu.ab.reqPerSec / clusterAb.reqPerSec) : 'n/a',
          m.flip && cluster.flip ? times(m.flip.lastReplyMs / cluster.flip.lastReplyMs) : 'n/a',
        ];
      }),
    ),
    '',
  ];
}

export function renderReport(results: BenchResults): string {
  const date = results.startedAt.slice(0, 10);
  const skipped = results.modes.filter((m) => m.skipped || m.error);
  const env = Object.entries(results.serviceEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `# flipstack benchmark, ${date}`,
    '',
    `Generated by \`make bench\` on ${results.machine['CPU model']} (${results.machine['CPU cores available']} cores) in ${seconds(results.durationMs)}. ` +
      'Every figure comes from this one run. The machine may be shared and noisy (see the load averages under Machine): ' +
      'read the **ratios between modes**, not the absolute numbers; re-run `make bench` on a quiet machine for cleaner ones.',
    '',
    '## Modes',
    '',
    ...results.modes.map((m) => `- **${m.name}**: ${m.description}`),
    '',
    `## Flip test: ${results.flips} concurrent \`POST /flip\` of ${results.image.name} (${(results.image.bytes / 1e6).toFixed(2)} MB)`,
    '',
    `\`k6 run -e IMAGE=… loadtest/flip.js\`: ${results.flips} VUs send one request each at the same moment. ` +
      "T = one flip alone through the same mode, measured just before, after a warm-up flip (the mode's own " +
      'proxies, transfers and runtime included). ' +
      `C = flips that can run at once = min(processes × FLIP_THREADS, cores); the ideal makespan is ⌈${results.flips}/C⌉·T. ` +
      'Queue mode targets (stack-queue): first reply ≤ 1.3 T, makespan ≤ 1.15 × ideal.',
    '',
    ...table(
      [
        'mode',
        'C',
        'T',
        'first reply',
        'first ÷ T',
        'last reply (makespan)',
        'ideal ⌈10/C⌉·T',
        'makespan ÷ ideal',
        'servers',
        'failed',
        'peak RSS',
      ],
      flipRows(results),
    ),
    '',
    '![Per-request timeline of the flip test](flip-timeline.svg)',
    '',
    `## CPU test: ${results.cpu.vus} clients for ${results.cpu.seconds} s on \`GET /cpu\` (no keep-alive)`,
    '',
    `k6 (\`loadtest/cpu.js\`) and, for parity with the article, the literal \`ab -c ${results.cpu.vus} -t ${results.cpu.seconds}\`, each against a fresh start of the mode. ` +
      'Both count the requests completed within the time limit. ' +
      'Failed = failed or non-2xx requests / completed requests.',
    '',
    ...table(
      ['mode', 'k6 req/s', 'k6 failed', 'k6 p50 / p99', 'ab req/s', 'ab failed', 'ab p50 / p99', 'servers', 'peak RSS'],
      cpuRows(results),
    ),
    '',
    ...cpuCostLines(results),
    '',
    '![Requests per second by mode](cpu-throughput.svg)',
    '',
    '![Latency percentiles by mode (k6)](cpu-latency.svg)',
    '',
    '## Ratios to the standard (one-process) mode',
    '',
    ...table(['', 'first flip reply', 'last flip reply', 'k6 req/s', 'ab req/s'], ratioRows(results)),
    '',
    ...besideArticles(results),
    ...crashSection(results),
    ...stackSection(results),
    '## Settings',
    '',
    `Service environment for the host modes (the stack: see Modes): \`${env}\`. The default per-process queue ` +
      `holds all ${results.flips} flips in one process; FLIP_TIMEOUT_MS is raised so the last flip queued in one ` +
      'process is not cut off at the default 60 s on a slow machine.',
    '',
    '## Machine',
    '',
    ...table(
      ['fact', 'value'],
      Object.entries(results.machine).map(([k, v]) => [k, v]),
    ),
    '',
    ...(skipped.length > 0
      ? [
          '## Modes not measured',
          '',
          ...skipped.map((m) => `- **${m.name}**: ${m.skipped ?? `failed: ${m.error}`}`),
          '',
        ]
      : []),
  ].join('\n');
}
