// Evidence that GET /cpu's loop (service/dist/http/cpu-burn.js) is the second article's loop, neither more work
// nor optimised away: the innermost loop TurboFan compiled for each, printed with `node --print-opt-code`, and
// each loop alone timed in one process, alternating. Part of `make bench`'s cost check; alone:
//   node --import tsx loadtest/bench/cpu-loop.ts [--iterations 10000000]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './k6';

export interface CpuLoop {
  iterations: number;
  /** The innermost loop's instructions, addresses left out; empty where none was found (not x64, say). */
  serviceLoop: string[];
  articleLoop: string[];
  identical: boolean;
  /** Median ms per call of each loop alone, called in turn in one process after a warm-up. */
  serviceMs: number;
  articleMs: number;
}

const CALLS = 60;
const WARMUP = 10;

/**
 * The child: the service's burner for `iterations`, made as routes.ts makes it, and the article's request
 * handler loop verbatim in a function of its own. Prints one JSON line of the calls' times.
 */
const child = (iterations: number) => `
const { cpuBurn } = require(${JSON.stringify(join(REPO_ROOT, 'service/dist/http/cpu-burn.js'))});
const burnCpu = cpuBurn(${iterations});
function articleLoop() {
  for (let index = 0; index < 1e7; index++);
}
const times = { service: [], article: [] };
const timed = (fn) => { const started = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - started) / 1e6; };
for (let call = 0; call < ${WARMUP + CALLS}; call++) {
  const service = timed(burnCpu);
  const article = timed(articleLoop);
  if (call >= ${WARMUP}) { times.service.push(service); times.article.push(article); }
}
console.log('TIMES ' + JSON.stringify(times));
`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * The last TurboFan code printed for a function: the instructions of its innermost loop, from the target of
 * the shortest backward jump to that jump, with addresses, offsets and bytes dropped.
 */
function innermostLoop(printed: string): string[] {
  const blocks = printed.split(/^--- Raw source ---$/m);
  const last = blocks[blocks.length - 1] ?? '';
  // "0x7fc9637c6ec0    40  3d80969800           cmp rax,0x989680"
  const instructions = [...last.matchAll(/^0x[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.+)$/gm)].map((match) => ({
    offset: parseInt(match[1]!, 16),
    text: match[2]!.replace(/\s+;;.*$/, '').trim(),
  }));
  let best: { from: number; to: number } | undefined;
  for (const { offset, text } of instructions) {
    const target = /<\+0x([0-9a-f]+)>/.exec(text);
    if (!target || !/^j/.test(text)) continue;
    const to = parseInt(target[1]!, 16);
    if (to <= offset && (!best || offset - to < best.from - best.to)) best = { from: offset, to };
  }
  if (!best) return [];
  const { from, to } = best;
  return instructions
    .filter(({ offset }) => offset >= to && offset <= from)
    .map(({ text }) => text.replace(/0x[0-9a-f]{8,}/g, 'addr').replace(/\s+/g, ' '));
}

async function runChild(iterations: number, filter?: string): Promise<string> {
  const flags = filter ? ['--print-opt-code', `--print-opt-code-filter=${filter}`] : [];
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '-e', child(iterations)], {
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export async function measureCpuLoop(iterations = 10_000_000): Promise<CpuLoop> {
  const serviceLoop = innermostLoop(await runChild(iterations, 'burnCpu'));
  const articleLoop = innermostLoop(await runChild(iterations, 'articleLoop'));
  const timesLine = /^TIMES (.*)$/m.exec(await runChild(iterations))?.[1];
  if (timesLine === undefined) throw new Error('the loop timing child printed no times');
  const times = JSON.parse(timesLine) as { service: number[]; article: number[] };
  return {
    iterations,
    serviceLoop,
    articleLoop,
    identical: serviceLoop.length > 0 && serviceLoop.join('\n') === articleLoop.join('\n'),
    serviceMs: median(times.service),
    articleMs: median(times.article),
  };
}

if (require.main === module) {
  const at = process.argv.indexOf('--iterations');
  const iterations = at > 0 ? Number(process.argv[at + 1]) : undefined;
  measureCpuLoop(iterations).then(
    (loop) => {
      console.log(`service's loop (CPU_ITERATIONS=${loop.iterations}):\n  ${loop.serviceLoop.join('\n  ')}`);
      console.log(`the article's loop:\n  ${loop.articleLoop.join('\n  ')}`);
      console.log(`identical: ${loop.identical ? 'yes' : 'no'}`);
      console.log(
        `alone, median of ${CALLS} calls each, alternating: service ${loop.serviceMs.toFixed(2)} ms, ` +
          `article ${loop.articleMs.toFixed(2)} ms (× ${(loop.serviceMs / loop.articleMs).toFixed(2)})`,
      );
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
