/**
 * The second article's workload: a busy loop on the event loop. Blocking is the point, it shows what one
 * process can do per core. The returned sum keeps the loop from being optimised away.
 */
export function burnCpu(iterations: number): number {
  let sum = 0;
  for (let i = 0; i < iterations; i++) sum += i % 7;
  return sum;
}
