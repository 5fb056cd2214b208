import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

const dist = join(__dirname, '..', 'service', 'dist');

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** TMPDIR of the process: the tests check that nothing is left in it. */
  tmp: string;
  /** Parsed JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code (or the signal that killed it). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
  exited: Promise<number | NodeJS.Signals>;
  /** Resolves once a log line matching the predicate appears (bounded by timeoutMs). */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function leftoverFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}

/** Starts `service/dist/<entry>` on a free 127.0.0.1 port with its own TMPDIR; resolves once it listens. */
export async function startService(
  env: Record<string, string> = {},
  entry: 'server.js' | 'cluster.js' | 'worker.js' = 'server.js',
  options: { ipc?: boolean } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  // Cluster workers serve their registries to each other from here up (one port each), apart from other runs.
  const metricsPeerPort = await freePort();
  const tmp = mkdtempSync(join(tmpdir(), 'flipstack-test-'));
  const child = spawn(process.execPath, [join(dist, entry)], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      TMPDIR: tmp,
      LOG_LEVEL: 'info',
      METRICS_PEER_PORT: String(metricsPeerPort),
      ...env,
    },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const listener of listeners) listener();
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal!)),
  );

  const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = logs.find(match);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then(() => {
        if (listeners.has(check)) {
          cleanup();
          reject(new Error(`process exited before the log line; stderr: ${stderr}`));
        }
      });
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const code = await exited;
    return code;
  };

  try {
    await waitForLog((line) => /^(worker )?listening$|^cluster primary starting instances$/.test(String(line.msg)));
    if (entry === 'cluster.js') await waitForLog((line) => line.msg === 'listening');
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, child, tmp, logs, stop, exited, waitForLog };
}

/** Stops the process if a test left it running and removes its TMPDIR. */
export async function disposeService(service: ServiceProcess | undefined): Promise<void> {
  if (service === undefined) return;
  await service.stop('SIGKILL');
  rmSync(service.tmp, { recursive: true, force: true });
}
