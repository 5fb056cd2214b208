import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..');
// Compose and image builds print a lot; a stuck daemon must not hang a test forever.
const COMMAND_TIMEOUT_MS = 10 * 60_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: MAX_OUTPUT });
  return stdout.trim();
}

let composeCli: Promise<string[]> | undefined;

/** `docker compose` (v2) where the plugin exists, else the standalone `docker-compose` (v1). */
export function composeCommand(): Promise<string[]> {
  composeCli ??= run('docker', ['compose', 'version']).then(
    () => ['docker', 'compose'],
    () => ['docker-compose'],
  );
  return composeCli;
}

/** A `version --short` of Compose v2, or of v5 that continues it (v3 and v4 were skipped). */
export const COMPOSE_V2_OR_LATER = /^v?([2-9]|[1-9]\d+)\./;

/**
 * Compose v2 for its own test (`make test-compose-v2`): the `docker compose` plugin where it is v2 or later, else the
 * standalone binary that `make compose-v2` builds. Never the default: everything else runs `composeCommand()`.
 */
export async function composeV2Command(): Promise<string[]> {
  const plugin = await run('docker', ['compose', 'version', '--short']).then(
    ({ stdout }) => stdout.trim(),
    () => '',
  );
  return COMPOSE_V2_OR_LATER.test(plugin)
    ? ['docker', 'compose']
    : [join(repoRoot, '.cache', 'bin', 'docker-compose-v2')];
}

export interface ContainerState {
  id: string;
  /** The container's hostname: what the service reports in X-Served-By. */
  hostname: string;
  health: string | undefined;
  running: boolean;
  restartCount: number;
  pid: number;
  /** When the container's process last started (Date.now() scale). */
  startedAt: number;
}

/**
 * One run of the repository's docker-compose.yml under a project name unique to this run, so concurrent and
 * leftover runs never share containers or networks. Call down() in an after hook.
 */
export class ComposeStack {
  readonly project: string;
  readonly env: NodeJS.ProcessEnv;
  /** The compose program and any global options (`--env-file`) before the project name; composeCommand() if unset. */
  private readonly command: string[] | undefined;

  constructor(topic: string, env: Record<string, string> = {}, command?: string[]) {
    this.project = `flipstack-${topic}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.env = { ...process.env, ...env };
    this.command = command;
  }

  async compose(...args: string[]): Promise<string> {
    return (await this.composeOutput(...args)).stdout.trim();
  }

  /** Both streams untrimmed, for checks of what compose warns about on stderr. */
  async composeOutput(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    const [program, ...options] = this.command ?? (await composeCommand());
    return run(program!, [...options, '--project-name', this.project, ...args], {
      cwd: repoRoot,
      env: this.env,
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
    });
  }

  /** Starts (or rescales) the stack with n replicas of `service`, leaving running containers alone. */
  async up(replicas: number): Promise<void> {
    await this.compose('up', '--detach', '--no-recreate', '--scale', `service=${replicas}`);
  }

  async containerIds(service: string): Promise<string[]> {
    const out = await this.compose('ps', '--quiet', service);
    return out.split('\n').filter(Boolean);
  }

  async inspect(ids: string[]): Promise<ContainerState[]> {
    if (ids.length === 0) return [];
    const format =
      '{{.Id}} {{.Config.Hostname}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.Running}} {{.RestartCount}} {{.State.Pid}} {{.State.StartedAt}}';
    const out = await docker('inspect', '--format', format, ...ids);
    return out.split('\n').map((line) => {
      const [id, hostname, health, running, restarts, pid, startedAt] = line.split(' ');
      return {
        id: id!,
        hostname: hostname!,
        health: health === '-' ? undefined : health,
        running: running === 'true',
        restartCount: Number(restarts),
        pid: Number(pid),
        startedAt: Date.parse(startedAt!),
      };
    });
  }

  /** Resolves with the replicas once exactly n are running and healthy; polls for at most timeoutMs. */
  async waitForHealthy(replicas: number, timeoutMs = 90_000, service = 'service'): Promise<ContainerState[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await this.inspect(await this.containerIds(service));
      const healthy = states.filter((s) => s.running && s.health === 'healthy');
      if (healthy.length === replicas && states.length === replicas) return healthy;
      if (Date.now() > deadline) {
        throw new Error(`expected ${replicas} healthy ${service} replicas, have: ${JSON.stringify(states)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Removes containers, networks and volumes; stop timeout short because a test stack holds no state. */
  async down(): Promise<void> {
    await this.compose('down', '--volumes', '--remove-orphans', '--timeout', '5');
  }
}
