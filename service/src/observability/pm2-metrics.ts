import type { Server } from 'node:http';
import io from '@pm2/io';
import { MetricMeasurements } from '@pm2/io/build/main/services/metrics';
import type { FlipScheduler } from '../flip/flip-scheduler';

// @pm2/io's Meter also reads `samples` (the unit of its rate, in seconds) and `timeframe` (its averaging window,
// in seconds), which its typings leave out.
type MeterOptions = Parameters<typeof io.meter>[0] & { samples: number; timeframe: number };

/** A rate in `pm2 monit`: marks per perSeconds, averaged over the last minute. */
export function rate(name: string, perSeconds: number): ReturnType<typeof io.meter> {
  const options: MeterOptions = { name, samples: perSeconds, timeframe: 60 };
  const meter = io.meter(options);
  // A meter nobody marked yet reads NaN; start at 0 so monit shows an idle instance as idle.
  meter.mark(0);
  return meter;
}

/**
 * The "Custom metrics" panel of `pm2 monit`, per instance. Import this module only under PM2: @pm2/io starts
 * timers and process handlers as soon as it loads (under PM2 it is already loaded by PM2's process wrapper).
 * Rates are PM2's exponentially weighted moving averages over the last minute.
 */
export function reportPm2Metrics(server: Server, scheduler: FlipScheduler): void {
  io.metric({ name: 'flips in flight', value: () => scheduler.inFlight });
  io.metric({ name: 'flips waiting', value: () => scheduler.depth });
  const flips = rate('flips per minute', 60);
  const flipMs = io.histogram({ name: 'p95 flip ms', measurement: MetricMeasurements.p95 });
  const rejections = rate('rejections per minute', 60);
  const requests = rate('requests per second', 1);

  scheduler.on('ran', (_outcome, ms) => {
    flips.mark();
    flipMs.update(ms);
  });
  scheduler.on('refused', () => rejections.mark());
  server.on('request', () => requests.mark());
}
