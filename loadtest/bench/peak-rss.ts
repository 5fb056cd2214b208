import { processTree, rssBytes } from './process-tree';

/**
 * Runs `work` while sampling the summed RSS of the process trees under `roots()` (re-read at every
 * sample, as workers respawn) and returns its result with the peak in bytes. Summing counts pages
 * shared between forks more than once; the same rule applies to every mode.
 */
export async function withPeakRss<T>(
  roots: () => number[],
  work: () => Promise<T>,
  intervalMs = 250,
): Promise<[T, number]> {
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(
      peak,
      processTree(roots()).reduce((sum, pid) => sum + rssBytes(pid), 0),
    );
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  try {
    return [await work(), peak];
  } finally {
    clearInterval(timer);
  }
}
