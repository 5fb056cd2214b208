/**
 * The second article's workload: its empty busy loop on the event loop, `for (let index = 0; index < 1e7;
 * index++);`. Blocking is the point, it shows what one process can do per core. The bound is CPU_ITERATIONS,
 * and V8 compiles a loop whose bound is a variable with an overflow check and two moves more per iteration than
 * the article's literal (×1.5 the time here). Captured by the one closure made for it, the bound is a constant
 * to TurboFan, which specialises a function on the context of its only closure: the loop compiles to the
 * article's instructions, no more and not optimised away (`node --import tsx loadtest/bench/cpu-loop.ts` shows both).
 * Make one burner per process: several closures of this function would share code with the bound a variable.
 */
export function cpuBurn(iterations: number): () => void {
  const bound = iterations;
  return function burnCpu() {
    for (let index = 0; index < bound; index++);
  };
}
