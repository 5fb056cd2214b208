import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';

export interface JimpThreadsOptions {
  threads: number;
  /** Longest a task may hold a thread before it is ended with image_too_complex. */
  decodeBudgetMs: number;
  /** V8 heap of each thread: a decoder that outgrows it ends its own thread, never the process. */
  threadHeapMb: number;
  /** How long the threads may sit idle before they are replaced by fresh ones. */
  threadIdleMs: number;
  startNow?: boolean;
}

function tooComplex(message: string): FlipOutcome {
  return { ok: false, code: 'image_too_complex', message };
}

/**
 * The Jimp engine: pure-JavaScript decode and encode, so they run on flip threads (worker threads), never on the
 * event loop. Aborting a task (deadline or decode budget) terminates its thread and Piscina starts a fresh one, as
 * it does for a thread that reached its heap limit.
 *
 * A thread's WebAssembly JPEG codec keeps its heap at the largest image it ever coded (a WebAssembly memory
 * only grows), so once the threads have been idle for threadIdleMs the pool is replaced by a fresh one and the
 * old one destroyed: the memory of a burst comes back, and the next flip still finds a started thread. A new
 * pool, not threads terminated inside the old one: Piscina would hand a flip to a thread that is still exiting.
 */
export class JimpThreads implements FlipRunner {
  private pool: Piscina<FlipTask, FlipOutcome>;
  private readonly decodeBudgetMs: number;
  private readonly threadIdleMs: number;
  private running = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: JimpThreadsOptions) {
    this.decodeBudgetMs = options.decodeBudgetMs;
    this.threadIdleMs = options.threadIdleMs;
    this.pool = this.newPool();
  }

  private newPool(): Piscina<FlipTask, FlipOutcome> {
    const { threads, threadHeapMb, startNow = true } = this.options;
    return new Piscina({
      filename: join(__dirname, 'flip-thread.js'),
      minThreads: startNow ? threads : 0,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxOldGenerationSizeMb: threadHeapMb, maxYoungGenerationSizeMb: 32 },
    });
  }

  async run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome> {
    const budget = AbortSignal.timeout(this.decodeBudgetMs);
    this.running++;
    clearTimeout(this.idleTimer);
    try {
      return await this.pool.run(task, {
        signal: AbortSignal.any([signal, budget]),
        transferList: [task.input.buffer],
      });
    } catch (error) {
      if (budget.aborted && !signal.aborted) {
        return tooComplex(`the image took over the decode budget of ${this.decodeBudgetMs} ms`);
      }
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return tooComplex('decoding the image ran out of the flip thread’s memory');
      }
      throw error;
    } finally {
      if (--this.running === 0) this.idleTimer = setTimeout(() => this.renewThreads(), this.threadIdleMs).unref();
    }
  }

  private renewThreads(): void {
    if (this.running > 0) return;
    const idle = this.pool;
    this.pool = this.newPool();
    void idle.destroy();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.pool.destroy();
  }
}
