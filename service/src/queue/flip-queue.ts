import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { HttpError } from '../errors';
import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';

export interface FlipQueueOptions {
  threads: number;
  queueMax: number;
  timeoutMs: number;
}

export type RejectionReason = 'overloaded' | 'job_timeout';

/** What a job did, for its observers: the Prometheus metrics and the `pm2 monit` metrics. */
export interface FlipQueueEvents {
  ran: [outcome: string, ms: number];
  /** A job left the queue for a thread after waiting ms. */
  started: [waitedMs: number];
  refused: [reason: RejectionReason];
}

interface Job {
  task: FlipTask;
  abort: AbortController;
  timer: NodeJS.Timeout;
  arrivedAt: number;
  resolve: (outcome: FlipOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Admits flip jobs, first in first out, to at most `threads` running at once. The queue is explicit so its
 * bound, order and depth are too: a full queue refuses at once (503), and a job past its deadline (counted
 * from arrival) answers 504 at once, dropped from the queue or aborted in its engine.
 */
export class FlipQueue extends EventEmitter<FlipQueueEvents> {
  private readonly waiting: Job[] = [];
  private running = 0;
  // Moving average of a job's run time, for Retry-After.
  private averageRunMs = 1000;

  constructor(
    private readonly options: FlipQueueOptions,
    private readonly runner: FlipRunner,
  ) {
    super();
  }

  get depth(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Retry-After for a refused job: about when the work accepted so far should be done. */
  private retryAfterSeconds(): string {
    const backlogMs = (this.averageRunMs * (this.running + this.waiting.length)) / this.options.threads;
    return String(Math.max(1, Math.ceil(backlogMs / 1000)));
  }

  run(task: FlipTask): Promise<FlipOutcome> {
    if (this.running >= this.options.threads && this.waiting.length >= this.options.queueMax) {
      this.emit('refused', 'overloaded');
      return Promise.reject(new HttpError('overloaded', undefined, { 'Retry-After': this.retryAfterSeconds() }));
    }
    return new Promise<FlipOutcome>((resolve, reject) => {
      const abort = new AbortController();
      const job: Job = {
        task,
        abort,
        resolve,
        reject,
        timer: setTimeout(() => this.expire(job), this.options.timeoutMs),
        arrivedAt: performance.now(),
      };
      this.waiting.push(job);
      this.dispatch();
    });
  }

  private expire(job: Job): void {
    this.emit('refused', 'job_timeout');
    job.reject(new HttpError('job_timeout'));
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
    } else {
      // Running: the engine gives it up as soon as it can; its slot frees when it has.
      job.abort.abort();
    }
  }

  private dispatch(): void {
    while (this.running < this.options.threads && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.start(job);
    }
  }

  private async start(job: Job): Promise<void> {
    const started = performance.now();
    this.emit('started', started - job.arrivedAt);
    let outcome = 'error';
    try {
      const result = await this.runner.run(job.task, job.abort.signal);
      outcome = job.abort.signal.aborted ? 'timeout' : result.ok ? 'ok' : result.code;
      job.resolve(result);
    } catch (error) {
      outcome = job.abort.signal.aborted ? 'timeout' : 'error';
      job.reject(error);
    } finally {
      clearTimeout(job.timer);
      const ranMs = performance.now() - started;
      this.averageRunMs = 0.8 * this.averageRunMs + 0.2 * ranMs;
      this.running--;
      this.dispatch();
      this.emit('ran', outcome, ranMs);
    }
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
