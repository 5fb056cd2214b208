// Which server answered, counted without shared state: k6 VUs cannot share memory, but the
// end-of-test summary keeps one entry per distinct check name, so a check named after the
// X-Served-By header (<hostname>/<pid>) tallies replies per server.
import { check } from 'k6';

const PREFIX = 'served by ';

/**
 * Records which server produced this reply (a check that passes when it answered 200).
 * @param {import('k6/http').RefinedResponse<any>} res
 * @returns {string} the X-Served-By value, or "-" when the reply had none (connection error, proxy error)
 */
export function recordServedBy(res) {
  const servedBy = res.headers['X-Served-By'] || '-';
  recordServer(servedBy, res.status === 200);
  return servedBy;
}

/**
 * Records one piece of work done by a server (<hostname>/<pid>), e.g. the worker that ran a queued job.
 * @param {string} server
 * @param {boolean} ok
 */
export function recordServer(server, ok) {
  check(null, { [`${PREFIX}${server}`]: () => ok });
}

/**
 * Replies per server from the summary data, busiest first.
 * @param {Record<string, any>} data the handleSummary argument
 * @returns {{ server: string, replies: number, ok: number }[]}
 */
export function servers(data) {
  /** @type {{ name: string, passes: number, fails: number }[]} */
  const checks = data.root_group.checks;
  return checks
    .filter((c) => c.name.startsWith(PREFIX) && c.name !== `${PREFIX}-`)
    .map((c) => ({ server: c.name.slice(PREFIX.length), replies: c.passes + c.fails, ok: c.passes }))
    .sort((a, b) => b.replies - a.replies || a.server.localeCompare(b.server));
}
