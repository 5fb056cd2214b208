import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';

/**
 * The Jimp engine: pure-JavaScript decode and encode, so they run on worker threads, never on the event loop.
 * Aborting a task terminates its thread and Piscina starts a fresh one.
 */
export class JimpThreads implements FlipRunner {
  private readonly pool: Piscina<FlipTask, FlipOutcome>;

  constructor(threads: number, { startNow = true } = {}) {
    this.pool = new Piscina({
      filename: join(__dirname, 'flip-worker.js'),
      minThreads: startNow ? threads : 0,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome> {
    return this.pool.run(task, { signal, transferList: [task.input.buffer] });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
