// The second article's crash run (`ab -r`): cpu.js's load against a deployment started with
// CRASH_AFTER_MS_MAX, so workers exit at random while serving. The front (nginx) must retry a
// request whose worker died on another one: like cpu.js, the threshold allows no failed request.
//   k6 run loadtest/crash.js                             # against `make up` with the crash switch on
import { BASE_URL } from './lib/env.js';
import { abSummary } from './lib/ab-load.js';

export { options, default } from './cpu.js';

/** @param {Record<string, any>} data */
export function handleSummary(data) {
  return abSummary('crash', `crash.js: ab-style GET ${BASE_URL}/cpu while workers crash, no keep-alive`, data);
}
