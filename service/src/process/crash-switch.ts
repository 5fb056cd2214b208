import type { Logger } from 'pino';

/**
 * The second article's chaos switch: exit with code 1 at a random time in [0, maxMs] after listening, so the
 * supervisor's restarts and the balancer's retries can be measured. Off when maxMs is 0.
 */
export function armCrashSwitch(maxMs: number, logger: Logger): void {
  if (maxMs <= 0) return;
  const crashInMs = Math.floor(Math.random() * (maxMs + 1));
  logger.warn({ crashInMs }, `CRASH_AFTER_MS_MAX=${maxMs} is set: this process will exit with code 1 on purpose`);
  setTimeout(() => {
    logger.warn('crash switch: exiting with code 1');
    process.exit(1);
  }, crashInMs);
}
