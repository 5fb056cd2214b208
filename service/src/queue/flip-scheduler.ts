import type { EventEmitter } from 'node:events';
import type { FlipOutcome, FlipTask } from '../flip/flip-task';
import type { FlipQueueEvents } from './flip-queue';

/**
 * Where POST /flip's jobs run: in this process (FlipQueue, FLIP_MODE=inline) or on worker processes behind
 * Redis (RedisFlips, FLIP_MODE=queue). The routes, metrics and shutdown see only this.
 */
export interface FlipScheduler extends EventEmitter<FlipQueueEvents> {
  /** Jobs of this process waiting for a flip slot. */
  readonly depth: number;
  /** Jobs of this process being flipped. */
  readonly inFlight: number;
  run(task: FlipTask): Promise<FlipOutcome>;
  close(): Promise<void>;
}
