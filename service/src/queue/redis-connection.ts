import { Redis } from 'ioredis';

// Reconnect forever, 0.5 s then up to 2 s apart: Redis coming back is how an outage ends, for both roles.
const retryStrategy = (attempt: number) => Math.min(attempt * 500, 2000);

/**
 * The api's connection for its own commands: while Redis is away they fail at once instead of waiting in
 * ioredis's offline queue, so a request gets its 503 now rather than hanging until Redis returns.
 */
export function failFastRedis(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy });
}

/** For connections that should ride out an outage (workers, QueueEvents): BullMQ's blocking reads need this. */
export function patientRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy });
}
