import { EventEmitter } from 'node:events';
import type { Job, Worker } from 'bullmq';
import type { FlipEvents } from '../flip/flip-scheduler';
import { errorOfFailure } from './job-failure';
import type { FlipJobData, FlipJobReturn } from './job-wire';

/**
 * A worker's BullMQ events as the flip events an api's scheduler emits, so both roles' metrics read the same:
 * the wait runs from the api's enqueue to this worker's start, the run from its start to its end.
 */
export function workerFlipEvents(worker: Worker<FlipJobData, FlipJobReturn>): EventEmitter<FlipEvents> {
  const events = new EventEmitter<FlipEvents>();
  const ranMs = (job: Job) => (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now());
  worker.on('active', (job) => events.emit('started', (job.processedOn ?? Date.now()) - job.timestamp));
  worker.on('completed', (job) => events.emit('ran', 'ok', ranMs(job)));
  worker.on('failed', (job, error) => {
    if (job !== undefined) events.emit('ran', errorOfFailure(error.message).code, ranMs(job));
  });
  return events;
}
