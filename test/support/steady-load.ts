const MAX_RESENDS = 3;

/** One request of the load: the path plus fetch options. */
export interface LoadRequest {
  path: string;
  init?: RequestInit;
}

export interface LoadReport {
  sent: number;
  failed: number;
  /** Requests sent a second time because the proxy closed an idle keep-alive connection as they went out. */
  resent: number;
  /** The first few failures, for the assertion message. */
  failures: string[];
  /** X-Served-By hostname → when (Date.now()) it first answered. */
  firstSeen: Map<string, number>;
  /** X-Served-By hostname → how many answers it gave. */
  answers: Map<string, number>;
  /** Every X-Served-By value (hostname/pid): which worker processes answered. */
  processes: Set<string>;
  /** HTTP status → how many answers had it. */
  statuses: Map<number, number>;
}

export interface SteadyLoad {
  readonly report: LoadReport;
  /** Resolves once the load has ended, by stop() or by its bounds, and every request in flight has finished. */
  readonly finished: Promise<LoadReport>;
  /** Stops the workers and resolves once every request in flight has finished. */
  stop(): Promise<LoadReport>;
}

/**
 * A few closed-loop workers sending requests until stopped, bounded by maxRequests and maxDurationMs whatever
 * happens, each request by requestTimeoutMs. Any network error, timeout or non-2xx answer is a failure.
 */
export function steadyLoad(
  baseUrl: string,
  requests: LoadRequest[],
  { concurrency = 4, pauseMs = 20, maxRequests = 20_000, maxDurationMs = 120_000, requestTimeoutMs = 60_000 } = {},
): SteadyLoad {
  const report: LoadReport = {
    sent: 0,
    failed: 0,
    resent: 0,
    failures: [],
    firstSeen: new Map(),
    answers: new Map(),
    processes: new Set(),
    statuses: new Map(),
  };
  const deadline = Date.now() + maxDurationMs;
  let stopped = false;

  const fail = (what: string) => {
    report.failed++;
    if (report.failures.length < 10) report.failures.push(what);
  };

  const worker = async (offset: number) => {
    for (let i = offset; !stopped && report.sent < maxRequests && Date.now() < deadline; i++) {
      const { path, init } = requests[i % requests.length]!;
      report.sent++;
      try {
        const response = await fetchResendingOnClose(
          baseUrl + path,
          { ...init, signal: AbortSignal.timeout(requestTimeoutMs) },
          report,
        );
        const body = await response.text();
        report.statuses.set(response.status, (report.statuses.get(response.status) ?? 0) + 1);
        if (!response.ok) fail(`${init?.method ?? 'GET'} ${path}: ${response.status} ${body.slice(0, 200)}`);
        const servedBy = response.headers.get('x-served-by');
        if (servedBy) report.processes.add(servedBy);
        const hostname = servedBy?.split('/')[0];
        if (hostname) {
          if (!report.firstSeen.has(hostname)) report.firstSeen.set(hostname, Date.now());
          report.answers.set(hostname, (report.answers.get(hostname) ?? 0) + 1);
        }
      } catch (error) {
        fail(`${init?.method ?? 'GET'} ${path}: ${describe(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };

  const finished = Promise.all(Array.from({ length: concurrency }, (_, n) => worker(n))).then(() => report);
  return {
    report,
    finished,
    stop() {
      stopped = true;
      return finished;
    },
  };
}

/**
 * A graceful nginx reload (upstream-watch runs one when replicas come or go) closes every idle client
 * keep-alive connection; a request written at that instant meets a closed socket and gets no answer at all.
 * As HTTP allows for requests that are safe to repeat (RFC 9112, 9.3.1) — every request here is — it is sent
 * again after a short pause, by which time the closed sockets have left the connection pool, and counted.
 * An HTTP error answer is never resent.
 */
export async function fetchResendingOnClose(
  url: string,
  init: RequestInit | undefined,
  report: Pick<LoadReport, 'resent'>,
) {
  for (let resends = 0; ; resends++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (!closedBeforeAnswer(error) || resends === MAX_RESENDS) throw error;
      report.resent++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function closedBeforeAnswer(error: unknown): boolean {
  const code = ((error as Error).cause as { code?: string } | undefined)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

function describe(error: unknown): string {
  return String((error as Error).cause ?? error);
}
