import type { EventEmitter } from 'node:events';
import type { FlipOutcome, FlipTask } from './flip-task';

export type RefusalReason = 'overloaded' | 'job_timeout';

/** What a flip did, for its observers: the Prometheus metrics and the `pm2 monit` metrics. */
export interface FlipEvents {
  ran: [outcome: string, ms: number];
  /** A flip left its backlog or the job queue for a flip thread or worker after waiting ms. */
  started: [waitedMs: number];
  refused: [reason: RefusalReason];
}

/**
 * Where POST /flip's flips run: in this process (FlipBacklog, FLIP_MODE=inline) or on workers behind Redis
 * (JobQueue, FLIP_MODE=queue). The routes, metrics and shutdown see only this.
 */
export interface FlipScheduler extends EventEmitter<FlipEvents> {
  /** Flips of this process waiting for a flip thread or a worker. */
  readonly depth: number;
  /** Flips of this process being flipped. */
  readonly inFlight: number;
  run(task: FlipTask): Promise<FlipOutcome>;
  close(): Promise<void>;
}
