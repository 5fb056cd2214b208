import type { FlipAxis } from '../flip/flip-bitmap';
import type { FlipTimings } from '../flip/flip-task';
import type { ImageMime } from '../flip/image-format';

// What a flip job carries through Redis. Job data and return values are JSON, and BullMQ also copies every
// return value into the events stream each QueueEvents listener reads: the images never go there. They are
// plain binary Redis values under keys of their own, each with a TTL.

export const FLIP_QUEUE_NAME = 'flips';

export interface FlipJobData {
  mime: ImageMime;
  axis: FlipAxis;
  quality: number;
  maxPixels: number;
  /** FLIP_TIMEOUT_MS after the job arrived at the api (epoch ms): a worker gives the job up past it. */
  deadline: number;
}

export interface FlipJobReturn {
  /** Where the flipped image waits, JOB_RESULT_TTL_S long. */
  resultKey: string;
  mime: ImageMime;
  width: number;
  height: number;
  timings: FlipTimings;
  /** hostname/pid of the worker process that ran it. */
  worker: string;
}

export const inputKey = (jobId: string) => `flipstack:input:${jobId}`;
export const resultKey = (jobId: string) => `flipstack:result:${jobId}`;
