import type { Config } from '../config';
import type { FlipRunner } from '../flip/flip-task';
import { JimpThreads } from './jimp-threads';
import { SharpRunner } from './sharp-runner';

/** The runner FLIP_ENGINE names. */
export function createFlipRunner({ engine, ...options }: Config['flip']): FlipRunner {
  return engine === 'sharp' ? new SharpRunner(options) : new JimpThreads(options);
}
