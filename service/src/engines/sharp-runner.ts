import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';
import { JimpThreads } from './jimp-threads';
import { flipWithSharp } from './sharp-flip';

/**
 * FLIP_ENGINE=sharp. libvips work cannot be interrupted, so an aborted task is answered 504 by the queue while
 * its job runs to the end (the queue keeps its slot until then). BMP, which sharp cannot read, goes to a Jimp
 * thread started on first use.
 */
export class SharpRunner implements FlipRunner {
  private bmpThreads: JimpThreads | undefined;

  constructor(private readonly threads: number) {}

  run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome> {
    if (task.mime !== 'image/bmp') return flipWithSharp(task);
    this.bmpThreads ??= new JimpThreads(this.threads, { startNow: false });
    return this.bmpThreads.run(task, signal);
  }

  async close(): Promise<void> {
    await this.bmpThreads?.close();
  }
}
