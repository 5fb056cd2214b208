// A new estimate starts from a second per flip, about the benchmark photo's cost on one core.
const FIRST_GUESS_MS = 1000;

/**
 * About when the flips accepted so far should be done, for a refusal's Retry-After: a moving average of a
 * flip's run time, times the flips ahead, spread over what runs them (flip threads or live workers).
 */
export class DrainEstimate {
  private averageRunMs = FIRST_GUESS_MS;

  record(ranMs: number): void {
    this.averageRunMs = 0.8 * this.averageRunMs + 0.2 * ranMs;
  }

  /** Whole seconds, at least 1. */
  seconds(flipsAhead: number, runners: number): number {
    const drainMs = (this.averageRunMs * flipsAhead) / Math.max(1, runners);
    return Math.max(1, Math.ceil(drainMs / 1000));
  }
}
