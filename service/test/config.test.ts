import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config';

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.cpuIterations, 10_000_000);
    assert.deepEqual(
      { ...config.flip, sampleImage: undefined },
      {
        engine: 'jimp',
        jpegQuality: 90,
        maxBytes: 25 * 1024 * 1024,
        maxPixels: 40_000_000,
        threads: 1,
        backlogMax: 9,
        timeoutMs: 60_000,
        decodeBudgetMs: 20_000,
        threadHeapMb: 256,
        threadIdleMs: 30_000,
        sampleImage: undefined,
      },
    );
    assert.match(config.flip.sampleImage, /service[\\/]assets[\\/]sample\.jpg$/);
    assert.equal(config.shutdownTimeoutMs, 65_000);
    assert.equal(config.keepAliveTimeoutMs, 65_000);
    assert.equal(config.crashAfterMsMax, 0);
    assert.equal(config.webConcurrency, undefined);
    assert.equal(config.trustProxy, false);
    assert.equal(config.logLevel, 'info');
  });

  it('reads and coerces every variable', () => {
    const config = loadConfig({
      PORT: '8081',
      TRUST_PROXY: 'true',
      FLIP_THREADS: '2',
      FLIP_BACKLOG_MAX: '0',
      WEB_CONCURRENCY: '3',
      LOG_LEVEL: 'warn',
      CRASH_AFTER_MS_MAX: '10000',
      FLIP_ENGINE: 'sharp',
      FLIP_JPEG_QUALITY: '75',
    });
    assert.equal(config.flip.engine, 'sharp');
    assert.equal(config.flip.jpegQuality, 75);
    assert.equal(config.port, 8081);
    assert.equal(config.trustProxy, true);
    assert.equal(config.flip.threads, 2);
    assert.equal(config.flip.backlogMax, 0);
    assert.equal(config.webConcurrency, 3);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.crashAfterMsMax, 10_000);
  });

  it('keeps the decode budget under the job deadline', () => {
    assert.equal(loadConfig({ FLIP_TIMEOUT_MS: '1500' }).flip.decodeBudgetMs, 500);
    assert.equal(loadConfig({ FLIP_TIMEOUT_MS: '9000', FLIP_DECODE_BUDGET_MS: '2000' }).flip.decodeBudgetMs, 2000);
    assert.throws(
      () => loadConfig({ FLIP_TIMEOUT_MS: '9000', FLIP_DECODE_BUDGET_MS: '9000' }),
      (error: Error) => error instanceof ConfigError && /FLIP_DECODE_BUDGET_MS=9000 must be under/.test(error.message),
    );
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ WEB_CONCURRENCY: '', FLIP_BACKLOG_MAX: '', FLIP_ENGINE: '' });
    assert.equal(config.webConcurrency, undefined);
    assert.equal(config.flip.backlogMax, 9);
    assert.equal(config.flip.engine, 'jimp');
  });

  it('names every bad variable and its value', () => {
    assert.throws(
      () =>
        loadConfig({
          FLIP_THREADS: '0',
          LOG_LEVEL: 'loud',
          TRUST_PROXY: 'maybe',
          FLIP_MAX_BYTES: '1.5',
          FLIP_ENGINE: 'gm',
        }),
      (error: unknown) =>
        error instanceof ConfigError &&
        [
          'FLIP_THREADS="0"',
          'LOG_LEVEL="loud"',
          'TRUST_PROXY="maybe"',
          'FLIP_MAX_BYTES="1.5"',
          'FLIP_ENGINE="gm"',
        ].every((part) => error.message.includes(part)),
    );
  });

  it("runs inline as an api by default, with queue mode's documented defaults", () => {
    const config = loadConfig({});
    assert.equal(config.mode, 'inline');
    assert.equal(config.role, 'api');
    assert.deepEqual(config.jobs, {
      redisUrl: 'redis://127.0.0.1:6379',
      queueMax: 100,
      resultTtlS: 600,
      lockMs: 10_000,
      stalledIntervalMs: 5_000,
      maxStalledCount: 1,
      keepFinished: 1000,
    });
  });

  it('bounds the job queue at 100 unless JOB_QUEUE_MAX says otherwise', () => {
    assert.equal(loadConfig({ FLIP_MODE: 'queue' }).jobs.queueMax, 100);
    assert.equal(loadConfig({ FLIP_MODE: 'queue', JOB_QUEUE_MAX: '' }).jobs.queueMax, 100);
    assert.equal(loadConfig({ FLIP_MODE: 'queue', JOB_QUEUE_MAX: '7' }).jobs.queueMax, 7);
  });

  it('reads the queue-mode variables', () => {
    const config = loadConfig({
      FLIP_MODE: 'queue',
      SERVICE_ROLE: 'worker',
      REDIS_URL: 'redis://redis:6379/2',
      JOB_RESULT_TTL_S: '60',
      JOB_LOCK_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '1000',
      JOB_MAX_STALLED: '0',
      JOB_KEEP_FINISHED: '10',
    });
    assert.equal(config.role, 'worker');
    assert.deepEqual(config.jobs, {
      redisUrl: 'redis://redis:6379/2',
      queueMax: 100,
      resultTtlS: 60,
      lockMs: 2000,
      stalledIntervalMs: 1000,
      maxStalledCount: 0,
      keepFinished: 10,
    });
  });

  it('refuses a worker outside queue mode, an unknown mode and a non-Redis URL', () => {
    for (const [env, part] of [
      [{ SERVICE_ROLE: 'worker' }, 'SERVICE_ROLE="worker": SERVICE_ROLE=worker needs FLIP_MODE=queue'],
      [{ FLIP_MODE: 'async' }, 'FLIP_MODE="async"'],
      [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL="http://redis:6379"'],
      [{ JOB_LOCK_MS: '10' }, 'JOB_LOCK_MS="10"'],
    ] as const) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message.includes(part),
      );
    }
  });
});
