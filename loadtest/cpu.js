// The second article's CPU test: `ab -c 500 -t 10` against GET /cpu (a 1e7-iteration loop on the
// event loop per request). Prints ab's figures: requests/s, failures, percentile table.
//   k6 run loadtest/cpu.js                               # 500 VUs for 10 s against the stack
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e VUS=50 -e DURATION=3s loadtest/cpu.js
import { BASE_URL } from './lib/env.js';
import { abOptions, abSummary, getCpu } from './lib/ab-load.js';

export const options = abOptions;

export default getCpu;

/** @param {Record<string, any>} data */
export function handleSummary(data) {
  return abSummary('cpu', `cpu.js: ab-style GET ${BASE_URL}/cpu, no keep-alive`, data);
}
