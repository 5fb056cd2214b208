import { startRedis, type RedisServer } from './redis-server';
import { disposeService, startService, type ServiceProcess } from './server-process';

/** Short lock and stall check, so a killed worker's job runs again within seconds in a test. */
export const fastStallEnv = { JOB_LOCK_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000' };

export interface QueueDeployment {
  redis: RedisServer;
  apis: ServiceProcess[];
  workers: ServiceProcess[];
  /** Starts one more worker process (on the same Redis and settings) and adds it to workers. */
  addWorker(): Promise<ServiceProcess>;
  /** Stops every process (SIGKILL) and Redis, and removes their directories. */
  dispose(): Promise<void>;
}

/**
 * Queue mode on this machine: a real redis-server, api processes (server.js) and worker processes
 * (worker.js), each on a free 127.0.0.1 port. Call dispose() in an after hook.
 */
export async function startQueueDeployment({
  apis = 1,
  workers = 1,
  env = {},
  redisArgs = [],
}: {
  apis?: number;
  workers?: number;
  env?: Record<string, string>;
  /** Extra redis-server arguments, e.g. a maxmemory. */
  redisArgs?: string[];
} = {}): Promise<QueueDeployment> {
  const redis = await startRedis(redisArgs);
  const shared = { FLIP_MODE: 'queue', REDIS_URL: redis.url, ...env };
  const deployment: QueueDeployment = {
    redis,
    apis: [],
    workers: [],
    async addWorker() {
      const worker = await startService({ ...shared, SERVICE_ROLE: 'worker' }, 'worker.js');
      deployment.workers.push(worker);
      return worker;
    },
    async dispose() {
      await Promise.all([...deployment.apis, ...deployment.workers].map(disposeService));
      await redis.dispose();
    },
  };
  try {
    for (let i = 0; i < apis; i++) deployment.apis.push(await startService(shared));
    for (let i = 0; i < workers; i++) await deployment.addWorker();
  } catch (error) {
    await deployment.dispose();
    throw error;
  }
  return deployment;
}

export interface JobStart {
  worker: ServiceProcess;
  jobId: string;
}

/**
 * Resolves with the worker that logs the start of a job's nth run (1 = first), from the workers' own logs;
 * jobId undefined matches any job (a POST /flip's job, whose id the client never sees).
 */
export async function waitForJobStart(
  deployment: QueueDeployment,
  jobId?: string,
  run = 1,
  timeoutMs = 30_000,
): Promise<JobStart> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const starts = deployment.workers
      .flatMap((worker) =>
        worker.logs
          .filter((line) => line.msg === 'flip job started' && (jobId === undefined || line.jobId === jobId))
          .map((line) => ({ worker, jobId: String(line.jobId), time: String(line.time) })),
      )
      .sort((a, b) => a.time.localeCompare(b.time));
    const start = starts[run - 1];
    if (start !== undefined) return { worker: start.worker, jobId: start.jobId };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId ?? '(any)'} did not start a run #${run} within ${timeoutMs} ms`);
}
