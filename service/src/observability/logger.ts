import { pino, stdTimeFunctions, type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger };

// Synchronous JSON lines on stdout: the supervisor (PM2, Docker) owns collection and rotation.
export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, timestamp: stdTimeFunctions.isoTime });
}
