import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';

export interface JimpThreadsOptions {
  threads: number;
  /** Longest a task may hold a thread before it is ended with image_too_complex. */
  decodeBudgetMs: number;
  /** V8 heap of each thread: a decoder that outgrows it ends its own thread, never the process. */
  threadHeapMb: number;
  startNow?: boolean;
}

function tooComplex(message: string): FlipOutcome {
  return { ok: false, code: 'image_too_complex', message };
}

/**
 * The Jimp engine: pure-JavaScript decode and encode, so they run on flip threads (worker threads), never on the event loop.
 * Aborting a task (deadline or decode budget) terminates its thread and Piscina starts a fresh one, as it does
 * for a thread that reached its heap limit.
 */
export class JimpThreads implements FlipRunner {
  private readonly pool: Piscina<FlipTask, FlipOutcome>;
  private readonly decodeBudgetMs: number;

  constructor({ threads, decodeBudgetMs, threadHeapMb, startNow = true }: JimpThreadsOptions) {
    this.decodeBudgetMs = decodeBudgetMs;
    this.pool = new Piscina({
      filename: join(__dirname, 'flip-thread.js'),
      minThreads: startNow ? threads : 0,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxOldGenerationSizeMb: threadHeapMb, maxYoungGenerationSizeMb: 32 },
    });
  }

  async run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome> {
    const budget = AbortSignal.timeout(this.decodeBudgetMs);
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
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
