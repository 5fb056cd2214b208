import type { FlipOutcome, FlipRunner, FlipTask } from '../flip/flip-task';
import { JimpThreads, type JimpThreadsOptions } from './jimp-threads';
import { flipWithSharp } from './sharp-flip';

/**
 * FLIP_ENGINE=sharp. libvips work cannot be interrupted, so an aborted task is answered 504 by the queue while
 * its job runs to the end (the queue keeps its slot until then); libvips' own timeout holds it to the decode
 * budget. BMP, which sharp cannot read, and GIF, which libvips re-quantizes on output, go to Jimp threads
 * started on first use.
 */
export class SharpRunner implements FlipRunner {
  private jimpThreads: JimpThreads | undefined;

  constructor(private readonly options: JimpThreadsOptions) {}

  run(task: FlipTask, signal: AbortSignal): Promise<FlipOutcome> {
    if (task.mime !== 'image/bmp' && task.mime !== 'image/gif') {
      return flipWithSharp(task, this.options.decodeBudgetMs);
    }
    this.jimpThreads ??= new JimpThreads({ ...this.options, startNow: false });
    return this.jimpThreads.run(task, signal);
  }

  async close(): Promise<void> {
    await this.jimpThreads?.close();
  }
}
