import { join } from 'node:path';
import { z } from 'zod';

const MiB = 1024 * 1024;

const integer = (min: number) => z.coerce.number().int().min(min);

// JPEG quality of flipped output. Jimp's own default, 100, turns the 6.8 MB benchmark photo into 19.6 MB and
// spends most of the job encoding it; 90 keeps the file about its original size (the photo is quality 91).
const QUALITY_DEFAULT = 90;

// Every tunable of the service, with its default. This module is the only reader of process.env.
const schema = z.object({
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
  FLIP_QUEUE_MAX: integer(0).default(4),
  FLIP_TIMEOUT_MS: integer(1).default(60_000),
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
  // The worker's instance number within its replica: set by PM2 in cluster mode and by cluster.ts.
  NODE_APP_INSTANCE: integer(0).optional(),
  // Where nginx-exporter.ts reads nginx's stub_status.
  NGINX_STATUS_URL: z.url().default('http://nginx:8081/nginx_status'),
  // Set by PM2 for each instance it runs; its presence turns on the `pm2 monit` metrics.
  pm_id: integer(0).optional(),
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
    queueMax: number;
    timeoutMs: number;
    sampleImage: string;
  };
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  crashAfterMsMax: number;
  webConcurrency: number | undefined;
  metricsPeers: { basePort: number; timeoutMs: number; instance: number | undefined };
  pm2InstanceId: number | undefined;
  nginxStatusUrl: string;
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
      queueMax: e.FLIP_QUEUE_MAX,
      timeoutMs: e.FLIP_TIMEOUT_MS,
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
