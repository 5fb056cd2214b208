import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { ReplyError, type Redis } from 'ioredis';
import type { Config, JobsConfig } from '../config';
import { ServiceError } from '../errors';
import type { FlipEvents, FlipScheduler } from '../flip/flip-scheduler';
import { ownedBytes, type FlipOutcome, type FlipTask } from '../flip/flip-task';
import type { ImageMime } from '../flip/image-format';
import type { Logger } from '../observability/logger';
import { Admission } from './admission';
import { DrainEstimate } from './drain-estimate';
import { errorOfFailure } from './job-failure';
import { FLIP_QUEUE_NAME, inputKey, type FlipJobData, type FlipJobReturn } from './job-wire';
import { failFastRedis, patientRedis } from './redis-connection';

export type JobState = 'waiting' | 'active' | 'completed' | 'failed';

/** What Redis knows of a job; http/job-view.ts renders it as GET /jobs/:id's answer. */
export interface JobRecord {
  id: string;
  state: JobState;
  /** 1 = the next job a worker takes; undefined unless waiting. */
  position: number | undefined;
  /** Epoch ms. */
  createdAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** hostname/pid of the worker that completed it. */
  worker: string | undefined;
  failure: ServiceError | undefined;
}

type FlipJob = Job<FlipJobData, FlipJobReturn>;

// An input outlives its job's deadline a little, so a worker that takes the job at the last moment still
// finds it; the job's end removes it sooner.
const INPUT_GRACE_MS = 10_000;

// How often an accepted job's wait tries Redis again during an outage.
const OUTAGE_RETRY_MS = 250;

/**
 * The api side of queue mode: admits flip jobs against the job queue's bound (JOB_QUEUE_MAX, deployment-wide),
 * stores their input in Redis, enqueues them in one BullMQ queue (one FIFO for every api replica) and waits for
 * or reports their results. Every Redis failure becomes 503 queue_unavailable.
 */
export class JobQueue extends EventEmitter<FlipEvents> implements FlipScheduler {
  private readonly redis: Redis;
  private readonly queue: Queue<FlipJobData, FlipJobReturn>;
  // One QueueEvents per process: every waiting request listens on it for its own job's end.
  private readonly events: QueueEvents;
  // QueueEvents reads on a duplicate of the connection it is given and closes only that duplicate.
  private readonly eventsConnection: Redis;
  private readonly admission: Admission;
  private readonly mine = new Map<string, 'waiting' | 'active'>();
  // From the workers' reports of their run times.
  private readonly drain = new DrainEstimate();

  constructor(
    private readonly flip: Pick<Config['flip'], 'timeoutMs'>,
    jobs: JobsConfig,
    logger: Logger,
  ) {
    super();
    this.redis = failFastRedis(jobs.redisUrl);
    const finished = { age: jobs.resultTtlS, count: jobs.keepFinished };
    this.queue = new Queue(FLIP_QUEUE_NAME, {
      connection: this.redis,
      defaultJobOptions: { attempts: 1, removeOnComplete: finished, removeOnFail: finished },
    });
    this.admission = new Admission(this.redis, this.queue, jobs.queueMax);
    this.eventsConnection = patientRedis(jobs.redisUrl);
    this.events = new QueueEvents(FLIP_QUEUE_NAME, { connection: this.eventsConnection });
    const warn = (error: Error) => logger.warn({ err: error.message }, 'redis');
    this.redis.on('error', warn);
    this.queue.on('error', warn);
    this.events.on('error', warn);
    this.events.on('active', ({ jobId }) => {
      if (this.mine.has(jobId)) this.mine.set(jobId, 'active');
    });
    this.events.on('completed', ({ returnvalue }) => {
      // QueueEvents parses the JSON, whatever its typings say.
      const result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as FlipJobReturn;
      this.drain.record(result.timings.totalMs);
    });
    // A job that failed without its worker's cleanup (the worker died) leaves its input behind.
    this.events.on('failed', ({ jobId }) => void this.redis.del(inputKey(jobId)).catch(() => undefined));
  }

  get depth(): number {
    return [...this.mine.values()].filter((state) => state === 'waiting').length;
  }

  get inFlight(): number {
    return this.mine.size - this.depth;
  }

  /** Whether Redis answers: /readyz turns 503 while it does not. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** Admits and enqueues a job; resolves with its id once Redis holds it. */
  async submit(task: FlipTask): Promise<{ id: string; deadline: number }> {
    const deadline = Date.now() + this.flip.timeoutMs;
    const id = randomUUID();
    await unavailableOnRedisError(this.redis, async () => {
      const refusedAt = await this.admission.admit(id, async () => {
        const input = Buffer.from(task.input.buffer, task.input.byteOffset, task.input.byteLength);
        await this.redis.set(inputKey(id), input, 'PX', this.flip.timeoutMs + INPUT_GRACE_MS);
        const { mime, axis, quality, maxPixels } = task;
        // A job Redis refused (full) must not leave its input behind, holding the room of accepted ones.
        await this.queue
          .add('flip', { mime, axis, quality, maxPixels, deadline }, { jobId: id })
          .catch(async (error: unknown) => {
            await this.redis.del(inputKey(id)).catch(() => undefined);
            throw error;
          });
      });
      if (refusedAt !== undefined) {
        this.emit('refused', 'overloaded');
        throw new ServiceError('overloaded', undefined, { retryAfterS: await this.drainSeconds(refusedAt) });
      }
    });
    return { id, deadline };
  }

  /** POST /flip in queue mode: enqueue, wait for the job's end (never past its deadline), answer the image. */
  async run(task: FlipTask): Promise<FlipOutcome> {
    const { id, deadline } = await this.submit(task);
    this.mine.set(id, 'waiting');
    try {
      const result = await this.untilDeadline(deadline, () => this.finished(id, deadline));
      if (result instanceof ServiceError) throw result;
      const output = await this.untilDeadline(deadline, () =>
        unavailableOnRedisError(this.redis, () => this.redis.getdelBuffer(result.resultKey)),
      );
      if (output === null) throw new ServiceError('internal', 'The job finished but its result is gone.');
      this.emit('ran', 'ok', result.timings.totalMs);
      return {
        ok: true,
        // Copied only when Redis's reply shares memory with others (a small one): a result is about as large as
        // the photo.
        output: ownedBytes(output),
        width: result.width,
        height: result.height,
        timings: result.timings,
      };
    } catch (error) {
      if (error instanceof ServiceError && error.code !== 'job_timeout') this.emit('ran', error.code, 0);
      throw error;
    } finally {
      this.mine.delete(id);
    }
  }

  /**
   * An accepted job's result once it has finished, or its own failure as a ServiceError value: returned, not
   * thrown, so that a job that failed with queue_unavailable (its worker could not store the result) is never
   * taken for an outage and waited on again.
   */
  private async finished(id: string, deadline: number): Promise<FlipJobReturn | ServiceError> {
    const job = await unavailableOnRedisError(this.redis, () => this.queue.getJob(id));
    if (job === undefined) throw new ServiceError('internal', 'The job vanished from the queue.');
    try {
      return await job.waitUntilFinished(this.events, Math.max(1, deadline - Date.now()));
    } catch (error) {
      // The wait itself lost Redis, or ran out at the deadline: untilDeadline tells which.
      if (isRedisFailure(error, this.redis)) throw new ServiceError('queue_unavailable');
      if (Date.now() >= deadline) throw error;
      return errorOfFailure((error as Error).message);
    }
  }

  /**
   * Runs a step of an accepted job's wait again while Redis is unavailable, until the job's deadline (then 504).
   * The job is safe in Redis (AOF): its client gets the image once Redis is back, not a 503 for accepted work.
   */
  private async untilDeadline<T>(deadline: number, step: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await step();
      } catch (error) {
        if (Date.now() >= deadline) {
          this.emit('refused', 'job_timeout');
          throw new ServiceError('job_timeout');
        }
        if (!(error instanceof ServiceError && error.code === 'queue_unavailable')) throw error;
        await sleep(Math.min(OUTAGE_RETRY_MS, deadline - Date.now()));
      }
    }
  }

  /** GET /jobs/:id; undefined for an unknown or expired job. */
  async record(id: string): Promise<JobRecord | undefined> {
    return unavailableOnRedisError(this.redis, async () => {
      // State first: a job read after it is finished carries its return value or failure.
      const bullState = await this.queue.getJobState(id);
      const job: FlipJob | undefined = await this.queue.getJob(id);
      if (job === undefined) return undefined;
      const state: JobState =
        bullState === 'active' || bullState === 'completed' || bullState === 'failed' ? bullState : 'waiting';
      return {
        id,
        state,
        position: state === 'waiting' ? await this.position(id) : undefined,
        createdAt: job.timestamp,
        startedAt: job.processedOn || undefined,
        finishedAt: job.finishedOn || undefined,
        worker: state === 'completed' ? job.returnvalue.worker : undefined,
        failure: state === 'failed' ? errorOfFailure(job.failedReason) : undefined,
      };
    });
  }

  /** GET /jobs/:id/result: the image, or the job's own error, 409 not_ready, 404 not_found. */
  async result(id: string): Promise<{ mime: ImageMime; bytes: Buffer }> {
    return unavailableOnRedisError(this.redis, async () => {
      const state = await this.queue.getJobState(id);
      const job: FlipJob | undefined = await this.queue.getJob(id);
      if (job === undefined) throw jobNotFound(id);
      if (state === 'failed') throw errorOfFailure(job.failedReason);
      if (state !== 'completed') throw new ServiceError('not_ready', undefined, { retryAfterS: 1 });
      const bytes = await this.redis.getBuffer(job.returnvalue.resultKey);
      if (bytes === null) throw jobNotFound(id);
      return { mime: job.returnvalue.mime, bytes };
    });
  }

  /** Deployment-wide figures for /metrics, read from Redis: the same from every api replica. */
  async prometheusText(): Promise<string> {
    return `${await this.queue.exportPrometheusMetrics()}\n`;
  }

  // BullMQ pushes new jobs on the left of its wait list and workers take them from the right.
  private async position(id: string): Promise<number | undefined> {
    const replies = await this.redis.multi().lpos(this.queue.keys.wait!, id).llen(this.queue.keys.wait!).exec();
    const [index, length] = (replies ?? []).map(([, value]) => value as number | null);
    return index == null || length == null ? undefined : length - index;
  }

  /** About when the accepted work should be done: the waiting and running jobs spread over the live workers. */
  private async drainSeconds(waiting: number): Promise<number> {
    const [active, workers] = await Promise.all([this.queue.getActiveCount(), this.queue.getWorkersCount()]);
    return this.drain.seconds(waiting + active, workers);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
    this.eventsConnection.disconnect();
  }
}

export function jobNotFound(id: string): ServiceError {
  return new ServiceError('not_found', `No job ${id}: unknown, or finished more than JOB_RESULT_TTL_S ago.`);
}

/**
 * Runs Redis work; a Redis failure (unreachable, or full under noeviction) becomes 503 queue_unavailable. Any
 * other error is a bug and goes on, to be logged and answered 500.
 */
async function unavailableOnRedisError<T>(redis: Redis, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    if (!isRedisFailure(error, redis)) throw error;
    const message = (error as Error).message;
    throw new ServiceError(
      'queue_unavailable',
      message.startsWith('OOM') ? 'The job queue (Redis) is full; retry later.' : undefined,
      { retryAfterS: 1 },
    );
  }
}

// Errors of a Redis connection going away. BullMQ's queue has connections of its own, so the api's connection
// may still say 'ready' when one of them fails: the error itself tells.
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function isRedisFailure(error: unknown, redis: Redis): boolean {
  if (error instanceof ReplyError || redis.status !== 'ready') return true;
  if (!(error instanceof Error)) return false;
  const { code } = error as NodeJS.ErrnoException;
  return (
    (code !== undefined && CONNECTION_ERROR_CODES.has(code)) ||
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable/.test(error.message)
  );
}
