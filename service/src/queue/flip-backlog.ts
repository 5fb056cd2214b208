import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ServiceError } from '../errors';
import type { FlipEvents, FlipScheduler } from '../flip/flip-scheduler';
import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';
import { DrainEstimate } from './drain-estimate';

export interface FlipBacklogOptions {
  threads: number;
  backlogMax: number;
  timeoutMs: number;
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
 * A process's backlog (inline mode): admits flips, first in first out, to at most `threads` flip threads at
 * once. The backlog is explicit so its bound, order and depth are too: a full backlog refuses at once (503),
 * and a flip past its deadline (counted from arrival) answers 504 at once, dropped from the backlog or aborted
 * in its engine.
 */
export class FlipBacklog extends EventEmitter<FlipEvents> implements FlipScheduler {
  private readonly waiting: Job[] = [];
  private running = 0;
  private readonly drain = new DrainEstimate();

  constructor(
    private readonly options: FlipBacklogOptions,
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

  run(task: FlipTask): Promise<FlipOutcome> {
    if (this.running >= this.options.threads && this.waiting.length >= this.options.backlogMax) {
      this.emit('refused', 'overloaded');
      const retryAfterS = this.drain.seconds(this.running + this.waiting.length, this.options.threads);
      return Promise.reject(new ServiceError('overloaded', undefined, { retryAfterS }));
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
    job.reject(new ServiceError('job_timeout'));
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
      this.drain.record(ranMs);
      this.running--;
      this.dispatch();
      this.emit('ran', outcome, ranMs);
    }
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
