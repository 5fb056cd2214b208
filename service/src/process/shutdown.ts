import type { Server } from 'node:http';
import type { Lifecycle } from './lifecycle';
import type { Logger } from 'pino';

export interface ShutdownDeps {
  server: Server;
  /** What runs this process's flips (its backlog's flip threads, or its job queue's connections): closed last. */
  flips: { close(): Promise<void> };
  lifecycle: Lifecycle;
  logger: Logger;
  timeoutMs: number;
}

/**
 * Returns the graceful stop: readiness turns 503, the listener closes, idle keep-alive sockets close, requests
 * in flight (and the flips they wait on, queued ones included) finish, then exit 0. Past timeoutMs the
 * remaining connections are cut and the exit code is 1.
 */
export function gracefulShutdown({ server, flips, lifecycle, logger, timeoutMs }: ShutdownDeps) {
  return (reason: string): void => {
    if (lifecycle.shuttingDown) return;
    lifecycle.shuttingDown = true;
    logger.info({ reason, timeoutMs }, 'shutting down: finishing requests in flight');
    const exit = (code: number) => {
      void flips.close().finally(() => {
        logger.info({ code }, 'stopped');
        process.exit(code);
      });
    };
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: closing the remaining connections');
      server.closeAllConnections();
      exit(1);
    }, timeoutMs);
    server.close(() => {
      clearTimeout(deadline);
      exit(0);
    });
    server.closeIdleConnections();
  };
}
