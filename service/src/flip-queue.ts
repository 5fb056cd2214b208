import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { HttpError } from './errors';
import type { FlipOutcome, FlipTask } from './flip-task';
import type { Metrics } from './metrics';

export interface FlipQueueOptions {
  threads: number;
  queueMax: number;
  timeoutMs: number;
}

interface Job {
  task: FlipTask;
  abort: AbortController;
  timer: NodeJS.Timeout;
  resolve: (outcome: FlipOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs flip jobs on worker threads, first in first out. The queue in front of the threads is ours rather than
 * Piscina's so its bound, its order and its depth are explicit: a full queue refuses at once (503), and a job
 * past its deadline (counted from arrival) is dropped from the queue or its thread is stopped and replaced (504).
 */
export class FlipQueue {
  private readonly pool: Piscina<FlipTask, FlipOutcome>;
  private readonly waiting: Job[] = [];
  private running = 0;
  // Moving average of a job's run time, for Retry-After.
  private averageRunMs = 1000;

  constructor(
    private readonly options: FlipQueueOptions,
    private readonly metrics: Metrics,
  ) {
    this.pool = new Piscina({
      filename: join(__dirname, 'flip-worker.js'),
      minThreads: options.threads,
      maxThreads: options.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
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
      this.metrics.rejections.inc({ reason: 'overloaded' });
      return Promise.reject(new HttpError('overloaded', undefined, { 'Retry-After': this.retryAfterSeconds() }));
    }
    return new Promise<FlipOutcome>((resolve, reject) => {
      const abort = new AbortController();
      const job: Job = { task, abort, resolve, reject, timer: setTimeout(() => this.expire(job), this.options.timeoutMs) };
      this.waiting.push(job);
      this.dispatch();
    });
  }

  private expire(job: Job): void {
    this.metrics.rejections.inc({ reason: 'job_timeout' });
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      this.publishGauges();
      job.reject(new HttpError('job_timeout'));
      return;
    }
    // Running: Piscina terminates the thread, starts a fresh one, and the run() promise rejects.
    job.abort.abort();
  }

  private dispatch(): void {
    while (this.running < this.options.threads && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.start(job);
    }
    this.publishGauges();
  }

  private async start(job: Job): Promise<void> {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await this.pool.run(job.task, {
        signal: job.abort.signal,
        transferList: [job.task.input.buffer],
      });
      outcome = result.ok ? 'ok' : result.code;
      job.resolve(result);
    } catch (error) {
      outcome = job.abort.signal.aborted ? 'timeout' : 'error';
      job.reject(job.abort.signal.aborted ? new HttpError('job_timeout') : error);
    } finally {
      clearTimeout(job.timer);
      const ranMs = performance.now() - started;
      this.averageRunMs = 0.8 * this.averageRunMs + 0.2 * ranMs;
      this.metrics.flipDuration.observe({ outcome }, ranMs / 1000);
      this.running--;
      this.dispatch();
    }
  }

  private publishGauges(): void {
    this.metrics.queueDepth.set(this.waiting.length);
    this.metrics.jobsInFlight.set(this.running);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
