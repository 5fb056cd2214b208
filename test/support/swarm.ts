import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..', '..');
// Building images and forming a swarm print a lot and take minutes on a busy machine; never forever.
const COMMAND_TIMEOUT_MS = 10 * 60_000;
const MAX_OUTPUT = 64 * 1024 * 1024;
// The stack's name inside the swarm (deploy/swarm/common.sh).
const STACK = 'flipstack';

export interface SwarmTask {
  id: string;
  /** Swarm's name for the task, e.g. flipstack_service.2. */
  name: string;
  node: string;
  desiredState: string;
  /** e.g. "Running 5 seconds ago", "Starting 2 seconds ago". */
  currentState: string;
}

/**
 * One swarm of deploy/swarm/up.sh, its containers, network and volumes named by a prefix unique to this run,
 * driven as an operator drives a remote one: through the manager's API socket. Call down() in an after hook.
 */
export class LocalSwarm {
  readonly prefix: string;
  readonly stack = STACK;
  private readonly env: NodeJS.ProcessEnv;

  constructor(topic: string, env: Record<string, string> = {}) {
    this.prefix = `${topic}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.env = { ...process.env, ...env, SWARM_PREFIX: this.prefix };
  }

  nodeName(n: number): string {
    return `${this.prefix}-node${n}`;
  }

  /** The node a task runs on, from its hostname (deploy/swarm/: <node>-<slot>, or <node>-<role>-<slot>). */
  nodeOf(hostname: string): string {
    return hostname.replace(/(-api|-worker)?-\d+$/, '');
  }

  async up(nodes: number): Promise<void> {
    await this.script('up.sh', { NODES: String(nodes) });
  }

  /** Removes every container, network and volume of this swarm; safe when up() failed halfway. */
  async down(): Promise<void> {
    await this.script('down.sh');
  }

  /** A docker command against the swarm's manager. */
  async manager(...args: string[]): Promise<string> {
    const socket = join(repoRoot, '.cache', 'swarm', this.prefix, 'manager.sock');
    const { stdout } = await run('docker', args, {
      env: { ...this.env, DOCKER_HOST: `unix://${socket}` },
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
    });
    return stdout.trim();
  }

  /** The tasks of one of the stack's services (`service`, `nginx`), newest first per slot. */
  async tasks(service: string): Promise<SwarmTask[]> {
    const format = '{{.ID}}\t{{.Name}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}';
    const out = await this.manager('service', 'ps', '--no-trunc', '--format', format, `${this.stack}_${service}`);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id, name, node, desiredState, currentState] = line.split('\t');
        return { id: id!, name: name!.trim(), node: node!, desiredState: desiredState!, currentState: currentState! };
      });
  }

  /** The nodes running a task of the service right now. */
  async runningOn(service: string): Promise<string[]> {
    return (await this.tasks(service))
      .filter((task) => task.desiredState === 'Running' && task.currentState.startsWith('Running'))
      .map((task) => task.node);
  }

  /**
   * What nginx said about its upstreams (its error log: "upstream timed out", "no live upstreams", reloads by
   * upstream-watch) and the access-log lines of answers ≥ 500, the last `lines` of them: a failure's explanation.
   */
  async proxyNotes(lines = 40): Promise<string> {
    const logs = await this.manager('service', 'logs', '--no-task-ids', '--raw', `${this.stack}_nginx`);
    const notes = logs.split('\n').filter((line) => !line.includes('"requestId"') || /"status":5\d\d/.test(line));
    return notes.slice(-lines).join('\n');
  }

  /** `docker node ls` as node name → availability and status (Ready, Down). */
  async nodes(): Promise<Map<string, { status: string; availability: string }>> {
    const out = await this.manager('node', 'ls', '--format', '{{.Hostname}}\t{{.Status}}\t{{.Availability}}');
    return new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [hostname, status, availability] = line.split('\t');
          return [hostname!, { status: status!, availability: availability! }];
        }),
    );
  }

  private async script(name: string, env: Record<string, string> = {}): Promise<void> {
    await run('bash', [join(repoRoot, 'deploy', 'swarm', name)], {
      cwd: repoRoot,
      env: { ...this.env, ...env },
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
    });
  }
}
