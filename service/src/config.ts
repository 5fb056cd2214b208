import { join } from 'node:path';
import { z } from 'zod';

const MiB = 1024 * 1024;

const integer = (min: number) => z.coerce.number().int().min(min);

// JPEG quality of flipped output. Jimp's own default, 100, turns the 6.8 MB benchmark photo into 19.6 MB and
// spends most of the job encoding it; 90 keeps the file about its original size (the photo is quality 91).
const QUALITY_DEFAULT = 90;

// A flip thread's V8 heap. Pixels live in ArrayBuffers outside it; the heap holds decoders' own structures,
// which for a valid 40 MP image stay far below this. A decoder that runs away ends its own thread at the limit.
const THREAD_HEAP_MB_DEFAULT = 256;

// Flip threads idle this long are replaced by fresh ones, which gives back what their JPEG codec grew to during
// a burst of large photos. Long enough that a steady stream of flips never meets it.
const THREAD_IDLE_MS_DEFAULT = 30_000;

// One image's decode and encode get at most this share of the job deadline (and never over 20 s), so a
// decoder that loops is cut off with a 422 long before the job would end as 504.
function decodeBudgetDefault(timeoutMs: number): number {
  return Math.max(1, Math.min(20_000, Math.floor(timeoutMs / 3)));
}

// The articles' experiment sends 10 flips at once. Nothing spreads them evenly over processes (node:cluster,
// PM2 and nginx hand out connections, not jobs), so one process's backlog must be able to hold all ten: one on
// its flip thread, nine waiting. An eleventh at once is a real overload and gets 503 + Retry-After.
const EXPERIMENT_FLIPS = 10;
const BACKLOG_MAX_DEFAULT = EXPERIMENT_FLIPS - 1;

// The job queue is one for the whole deployment: room for the articles' ten flips and more, and still a bound
// that refuses a flood.
const JOB_QUEUE_MAX_DEFAULT = 100;

// Every tunable of the service, with its default. This module is the only reader of process.env.
const schema = z
  .object({
    PORT: integer(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: z.stringbool().default(false),
    CPU_ITERATIONS: integer(0).default(10_000_000),
    FLIP_MAX_BYTES: integer(1).default(25 * MiB),
    FLIP_MAX_PIXELS: integer(1).default(40_000_000),
    FLIP_ENGINE: z.enum(['jimp', 'sharp']).default('jimp'),
    FLIP_JPEG_QUALITY: integer(1).max(100).default(QUALITY_DEFAULT),
    FLIP_THREADS: integer(1).default(1),
    FLIP_BACKLOG_MAX: integer(0).default(BACKLOG_MAX_DEFAULT),
    FLIP_TIMEOUT_MS: integer(1).default(60_000),
    FLIP_DECODE_BUDGET_MS: integer(1).optional(),
    FLIP_THREAD_HEAP_MB: integer(16).default(THREAD_HEAP_MB_DEFAULT),
    FLIP_THREAD_IDLE_MS: integer(1).default(THREAD_IDLE_MS_DEFAULT),
    FLIP_SAMPLE_IMAGE: z
      .string()
      .min(1)
      .default(join(__dirname, '..', 'assets', 'sample.jpg')),
    SHUTDOWN_TIMEOUT_MS: integer(1).default(65_000),
    KEEP_ALIVE_TIMEOUT_MS: integer(1).default(65_000),
    CRASH_AFTER_MS_MAX: integer(0).default(0),
    WEB_CONCURRENCY: integer(1).optional(),
    METRICS_PEER_PORT: integer(1).max(65535).default(9400),
    METRICS_PEER_TIMEOUT_MS: integer(1).default(1000),
    // The instance's number within its replica: set by PM2 in cluster mode and by cluster.ts.
    NODE_APP_INSTANCE: integer(0).optional(),
    // Where nginx-exporter.ts reads nginx's stub_status.
    NGINX_STATUS_URL: z.url().default('http://nginx:8081/nginx_status'),
    // Queue mode (FLIP_MODE=queue): api processes enqueue flips in Redis, worker processes run them.
    FLIP_MODE: z.enum(['inline', 'queue']).default('inline'),
    SERVICE_ROLE: z.enum(['api', 'worker']).default('api'),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    JOB_QUEUE_MAX: integer(0).default(JOB_QUEUE_MAX_DEFAULT),
    JOB_RESULT_TTL_S: integer(1).default(600),
    JOB_LOCK_MS: integer(1000).default(10_000),
    JOB_STALLED_INTERVAL_MS: integer(1000).default(5_000),
    JOB_MAX_STALLED: integer(0).default(1),
    JOB_KEEP_FINISHED: integer(1).default(1000),
    // Set by PM2 for each instance it runs; its presence turns on the `pm2 monit` metrics.
    pm_id: integer(0).optional(),
  })
  .refine((env) => env.SERVICE_ROLE === 'api' || env.FLIP_MODE === 'queue', {
    message: 'SERVICE_ROLE=worker needs FLIP_MODE=queue',
    path: ['SERVICE_ROLE'],
  });

type Env = z.infer<typeof schema>;

export interface Config {
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  cpuIterations: number;
  flip: {
    engine: Env['FLIP_ENGINE'];
    jpegQuality: number;
    maxBytes: number;
    maxPixels: number;
    threads: number;
    /** Flips waiting in one process's backlog (inline mode). */
    backlogMax: number;
    timeoutMs: number;
    decodeBudgetMs: number;
    threadHeapMb: number;
    threadIdleMs: number;
    sampleImage: string;
  };
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  crashAfterMsMax: number;
  webConcurrency: number | undefined;
  metricsPeers: { basePort: number; timeoutMs: number; instance: number | undefined };
  pm2InstanceId: number | undefined;
  nginxStatusUrl: string;
  mode: Env['FLIP_MODE'];
  role: Env['SERVICE_ROLE'];
  jobs: JobsConfig;
}

/** Queue mode's Redis and BullMQ settings. */
export interface JobsConfig {
  redisUrl: string;
  /** Jobs waiting in the job queue, the whole deployment's. */
  queueMax: number;
  /** How long a finished job's result image and record are kept. */
  resultTtlS: number;
  /** A worker's lock on its job; a SIGKILLed worker's job is found stalled once it lapses. */
  lockMs: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs: number;
  /** Stalls a job survives: one more and it fails (1: its worker died twice). */
  maxStalledCount: number;
  /** Finished job records kept at most, besides the age limit. */
  keepFinished: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set": compose passes `${VAR:-}` through as an empty string.
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      return `${variable}=${JSON.stringify(env[variable])}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.FLIP_DECODE_BUDGET_MS !== undefined && e.FLIP_DECODE_BUDGET_MS >= e.FLIP_TIMEOUT_MS) {
    throw new ConfigError(
      `invalid configuration: FLIP_DECODE_BUDGET_MS=${e.FLIP_DECODE_BUDGET_MS} must be under FLIP_TIMEOUT_MS=${e.FLIP_TIMEOUT_MS}`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    cpuIterations: e.CPU_ITERATIONS,
    flip: {
      engine: e.FLIP_ENGINE,
      jpegQuality: e.FLIP_JPEG_QUALITY,
      maxBytes: e.FLIP_MAX_BYTES,
      maxPixels: e.FLIP_MAX_PIXELS,
      threads: e.FLIP_THREADS,
      backlogMax: e.FLIP_BACKLOG_MAX,
      timeoutMs: e.FLIP_TIMEOUT_MS,
      decodeBudgetMs: e.FLIP_DECODE_BUDGET_MS ?? decodeBudgetDefault(e.FLIP_TIMEOUT_MS),
      threadHeapMb: e.FLIP_THREAD_HEAP_MB,
      threadIdleMs: e.FLIP_THREAD_IDLE_MS,
      sampleImage: e.FLIP_SAMPLE_IMAGE,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    crashAfterMsMax: e.CRASH_AFTER_MS_MAX,
    webConcurrency: e.WEB_CONCURRENCY,
    metricsPeers: {
      basePort: e.METRICS_PEER_PORT,
      timeoutMs: e.METRICS_PEER_TIMEOUT_MS,
      instance: e.NODE_APP_INSTANCE,
    },
    pm2InstanceId: e.pm_id,
    nginxStatusUrl: e.NGINX_STATUS_URL,
    mode: e.FLIP_MODE,
    role: e.SERVICE_ROLE,
    jobs: {
      redisUrl: e.REDIS_URL,
      queueMax: e.JOB_QUEUE_MAX,
      resultTtlS: e.JOB_RESULT_TTL_S,
      lockMs: e.JOB_LOCK_MS,
      stalledIntervalMs: e.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: e.JOB_MAX_STALLED,
      keepFinished: e.JOB_KEEP_FINISHED,
    },
  };
}

/** For entry points: a bad value stops the process at start, naming the variable. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`flipstack: ${error.message}\n`);
    process.exit(1);
  }
}
