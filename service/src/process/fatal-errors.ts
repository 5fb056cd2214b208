import type { Logger } from 'pino';

/**
 * An unhandled rejection or exception leaves the process in an unknown state: log it and exit 1, and let the
 * supervisor (node:cluster runner, PM2, Docker) start a clean one.
 */
export function exitOnFatalErrors(logger: Logger): void {
  const die = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on('unhandledRejection', die('unhandled rejection'));
  process.on('uncaughtException', die('uncaught exception'));
}
