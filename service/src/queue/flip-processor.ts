import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ownedBytes, type FlipRunner } from '../flip/flip-task';
import { servedBy } from '../process/identity';
import type { Logger } from '../observability/logger';
import { jobFailure } from './job-failure';
import { inputKey, resultKey, type FlipJobData, type FlipJobReturn } from './job-wire';
import { resultWrite } from './result-write';

/**
 * What a worker process does with each flip job: read the input image from Redis, run the flip engine until
 * the job's deadline, store the result image with a TTL and return its key. The input is removed once the
 * job ends here; a job whose worker dies keeps it for the re-run.
 */
export function flipProcessor(runner: FlipRunner, redis: Redis, resultTtlS: number, logger: Logger) {
  const replaceInputWithResult = resultWrite(redis);
  return async (job: Job<FlipJobData, FlipJobReturn>): Promise<FlipJobReturn> => {
    const id = job.id!;
    const { deadline, mime, axis, quality, maxPixels } = job.data;
    logger.info({ jobId: id, attempt: job.attemptsStarted, stalled: job.stalledCounter }, 'flip job started');
    try {
      if (Date.now() >= deadline) throw jobFailure('job_timeout', 'The job waited past its deadline.');
      const input = await redis.getBuffer(inputKey(id));
      // Its TTL outlives the deadline, so only an earlier run that died between storing and returning removes it.
      if (input === null) throw jobFailure('internal', "The job's input is gone: an earlier run consumed it.");
      const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      const outcome = await runner
        .run({ input: ownedBytes(input), mime, axis, quality, maxPixels }, signal)
        .catch((error: unknown) => {
          throw signal.aborted ? jobFailure('job_timeout') : error;
        });
      if (signal.aborted) throw jobFailure('job_timeout');
      if (!outcome.ok) throw jobFailure(outcome.code, outcome.message);
      const { output, width, height, timings } = outcome;
      const bytes = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
      await replaceInputWithResult({ inputKey: inputKey(id), resultKey: resultKey(id) }, bytes, resultTtlS).catch(
        (error: Error) => {
          throw jobFailure('queue_unavailable', `Redis could not store the result: ${error.message}`);
        },
      );
      return { resultKey: resultKey(id), mime, width, height, timings, worker: servedBy };
    } catch (error) {
      // A failed job's input goes here; a completed one's went with the write of its result.
      await redis.del(inputKey(id));
      throw error;
    }
  };
}
