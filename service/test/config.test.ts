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
        queueMax: 9,
        timeoutMs: 60_000,
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
      FLIP_QUEUE_MAX: '0',
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
    assert.equal(config.flip.queueMax, 0);
    assert.equal(config.webConcurrency, 3);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.crashAfterMsMax, 10_000);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ WEB_CONCURRENCY: '', FLIP_QUEUE_MAX: '', FLIP_ENGINE: '' });
    assert.equal(config.webConcurrency, undefined);
    assert.equal(config.flip.queueMax, 9);
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
});
