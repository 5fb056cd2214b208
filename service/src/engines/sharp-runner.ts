import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';
import { JimpThreads, type JimpThreadsOptions } from './jimp-threads';
import { flipWithSharp, sharpWrites } from './sharp-flip';

/**
 * FLIP_ENGINE=sharp. libvips work cannot be interrupted, so an aborted task is answered 504 by the queue while
 * its job runs to the end (the queue keeps its slot until then); libvips' own timeout holds it to the decode
 * budget. What libvips does not write as promised (sharpWrites: BMP, GIF, 4:2:2 JPEG and the like) goes to Jimp
 * threads started on first use.
 */
export class SharpRunner implements FlipRunner {
  private jimpThreads: JimpThreads | undefined;

  constructor(private readonly options: JimpThreadsOptions) {}

  run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome> {
    if (sharpWrites(task)) return flipWithSharp(task, this.options.decodeBudgetMs);
    this.jimpThreads ??= new JimpThreads({ ...this.options, startNow: false });
    return this.jimpThreads.run(task, signal);
  }

  async close(): Promise<void> {
    await this.jimpThreads?.close();
  }
}
