import { execFile } from 'node:child_process';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TmuxScreen {
  /** The pane's text right now, as a person would see it. */
  capture(): Promise<string>;
  /** Types keys (tmux key names: Down, Enter, q ...). */
  press(...keys: string[]): Promise<void>;
}

/**
 * Runs an interactive command in a detached tmux session of a fixed size, as a person at a terminal would;
 * the session is killed after the test. env is passed with `env`, so no variable leaks into the tmux server.
 */
export async function startTmux(
  t: TestContext,
  command: string[],
  env: Record<string, string>,
  width = 160,
  height = 60,
): Promise<TmuxScreen> {
  const session = `flipstack-${process.pid}-${Date.now()}`;
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  await run('tmux', [
    '-u',
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    String(width),
    '-y',
    String(height),
    'env',
    ...assignments,
    ...command,
  ]);
  t.after(() => run('tmux', ['kill-session', '-t', session]).catch(() => undefined));
  return {
    capture: async () => (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout,
    press: async (...keys) => void (await run('tmux', ['send-keys', '-t', session, ...keys])),
  };
}
