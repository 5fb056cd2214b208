// Starts one of the service's entry points (or any server command) on 127.0.0.1 in its own process
// group, waits until it answers, and stops the whole group (cluster workers and PM2 apps included).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { waitForHttp } from '../../testkit/wait-for-http';

export interface ServedProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** Output so far, for error messages. */
  output(): string;
  /** SIGTERM to the process group, SIGKILL after graceMs; resolves once the leader exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  command: string;
  args: string[];
  port: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long to wait for readyPath to answer 200. */
  readyTimeoutMs?: number;
  readyPath?: string;
}

const OUTPUT_LIMIT = 64 * 1024;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // group already gone
  }
}

/** Spawns the command with PORT/HOST set and resolves once GET readyPath answers 200. */
export async function startServed(options: StartOptions): Promise<ServedProcess> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
    detached: true, // own process group, so stop() reaches every worker it forks
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = once(child, 'exit');
  const running = () => child.exitCode === null && child.signalCode === null;

  const served: ServedProcess = {
    pid: child.pid as number,
    baseUrl,
    output: () => output,
    async stop(graceMs = 15_000) {
      if (!running()) {
        signalGroup(child, 'SIGKILL'); // leftovers of a leader that died first
        return;
      }
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup(child, 'SIGKILL');
    },
  };

  try {
    await waitForHttp(`${baseUrl}${options.readyPath ?? '/readyz'}`, options.readyTimeoutMs ?? 30_000, running);
  } catch (error) {
    await served.stop(1000);
    const command = `${options.command} ${options.args.join(' ')}`;
    throw new Error(`${command} did not become ready: ${(error as Error).message}\n${output}`);
  }
  return served;
}
