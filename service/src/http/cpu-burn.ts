/**
 * The second article's workload, as written: an empty busy loop on the event loop. Blocking is the point, it
 * shows what one process can do per core. Returning the counter keeps the loop from being optimised away
 * without adding work to an iteration (checked in `make bench` against the article's plain server).
 */
export function burnCpu(iterations: number): number {
  let index = 0;
  for (; index < iterations; index++);
  return index;
}
