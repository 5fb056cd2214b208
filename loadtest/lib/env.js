// Settings shared by every script, read once from k6's environment (-e NAME=value or the shell).

/** Where the service answers; default is the compose stack's nginx. */
export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');

/** Directory (relative to where k6 runs) receiving <script>-summary.json/.txt; k6 does not create it. */
export const SUMMARY_DIR = (__ENV.SUMMARY_DIR || 'loadtest/results/latest').replace(/\/+$/, '');

/**
 * A positive integer from the environment, or the fallback when unset.
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function intEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
