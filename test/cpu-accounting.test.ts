// The bench's CPU accounting against real processes and a real container, checked against what the burning
// process itself reports (Node's process.cpuUsage(), bash's `times`): fixed work, not fixed time, so a loaded
// machine changes how long it takes but not what is compared.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { containerOf, cpuSpent, machineBusy, processTreeOf } from '../loadtest/bench/cpu-accounting';
import { docker } from '../testkit/compose';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Within a tenth of the reported figure, plus 0.1 s for start-ups the reporter does not see. */
function assertClose(t: TestContext, read: number, reported: number, what: string): void {
  t.diagnostic(`${what}: read ${read.toFixed(3)} s, the process reported ${reported.toFixed(3)} s`);
  assert.ok(Math.abs(read - reported) <= 0.1 + 0.1 * reported, `${what}: read ${read} s, reported ${reported} s`);
}

// A grandchild burns a fixed loop, reports its own CPU seconds on stdout, then sleeps until killed.
const BURN = `
  let x = 0; for (let i = 0; i < 3e8; i++) x ^= i;
  const { user, system } = process.cpuUsage(); console.log((user + system) / 1e6, x);
  setTimeout(() => {}, 60000);`;

test('a process tree reads what its processes burned, and the machine at least that', async (t) => {
  const parent = spawn(
    process.execPath,
    [
      '-e',
      `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(BURN)}], { stdio: 'inherit' }); setTimeout(() => {}, 60000)`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  t.after(() => process.kill(-parent.pid!, 'SIGKILL'));
  const [reported, spent] = await cpuSpent({ tree: processTreeOf(parent.pid!), machine: machineBusy }, async () => {
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    return Number(line.toString().split(' ')[0]);
  });
  // The parent's own start-up is in the tree's reading too, and the child's start-up before cpuUsage().
  assert.ok(reported > 0.2, `the loop took only ${reported} s`);
  assertClose(t, spent.tree!, reported, 'process tree');
  assert.ok(spent.machine! >= spent.tree! - 0.02, `the machine spent ${spent.machine} s, less than the tree`);
});

test("a container's reading counts the CPU of the processes in it, and stays still while they sleep", async (t) => {
  const name = `flipstack-cpu-accounting-${process.pid}`;
  // bash's `times` prints the shell's user and system time, then its children's.
  const script = 'for ((i = 0; i < 400000; i++)); do :; done; times; exec sleep 60';
  await docker('run', '--detach', '--rm', '--name', name, 'debian:bookworm-slim', 'bash', '-c', script);
  t.after(() => docker('rm', '--force', name).catch(() => undefined));
  const reading = containerOf(Number(await docker('inspect', '--format', '{{.State.Pid}}', name)));
  let times = '';
  for (let i = 0; i < 120 && !times.includes('\n'); i++) {
    await sleep(250);
    times = await docker('logs', name);
  }
  const seconds = [...times.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, [, m, s]) => sum + 60 * Number(m) + Number(s),
    0,
  );
  assert.ok(seconds > 0.2, `the loop took only ${seconds} s: ${times}`);
  assertClose(t, reading(), seconds, 'container');
  const [, spent] = await cpuSpent({ container: reading }, () => sleep(1000));
  assert.ok(spent.container! < 0.05, `a sleeping container spent ${spent.container} s`);
});
