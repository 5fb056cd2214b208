import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..', '..');
// Building images and starting a cluster print a lot and take minutes on a busy machine; never forever.
const COMMAND_TIMEOUT_MS = 10 * 60_000;
const MAX_OUTPUT = 64 * 1024 * 1024;
const kubectlBinary = join(repoRoot, '.cache', 'k8s', 'bin', 'kubectl');

/** One pod as `kubectl get pods` shows it. */
export interface Pod {
  name: string;
  /** app.kubernetes.io/component: service, api, worker, nginx, redis. */
  component: string;
  node: string;
  /** The first container's image. */
  image: string;
  phase: string;
  ready: boolean;
  terminating: boolean;
}

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase: string; conditions?: { type: string; status: string }[] };
}

/**
 * One cluster of deploy/kubernetes/local/up.sh, its containers, network and volumes named by a prefix unique to
 * this run, driven as an operator drives a remote one: with kubectl and the administrator's kubeconfig. Call
 * down() in an after hook.
 */
export class LocalKubernetes {
  readonly prefix: string;
  readonly namespace = 'flipstack';
  private readonly env: NodeJS.ProcessEnv;

  constructor(topic: string, env: Record<string, string> = {}) {
    this.prefix = `${topic}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.env = { ...process.env, ...env, K8S_PREFIX: this.prefix };
  }

  get kubeconfig(): string {
    return join(repoRoot, '.cache', 'k8s', 'clusters', this.prefix, 'admin.kubeconfig');
  }

  nodeName(n: number): string {
    return `${this.prefix}-node${n}`;
  }

  async up(nodes: number, mode: 'inline' | 'queue'): Promise<void> {
    await this.script('up.sh', { NODES: String(nodes), MODE: mode });
  }

  /** Applies a mode's overlay in place of the other (deploy/kubernetes/local/apply.sh). */
  async apply(mode: 'inline' | 'queue'): Promise<void> {
    await this.script('apply.sh', {}, [mode]);
  }

  /** Removes every container, network and volume of this cluster; safe when up() failed halfway. */
  async down(): Promise<void> {
    await this.script('down.sh');
  }

  /** A kubectl command against the cluster, in the flipstack namespace unless the arguments name another. */
  async kubectl(...args: string[]): Promise<string> {
    const { stdout } = await run(kubectlBinary, ['--kubeconfig', this.kubeconfig, '-n', this.namespace, ...args], {
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
    });
    return stdout.trim();
  }

  /** The flipstack pods, with their node and readiness. */
  async pods(): Promise<Pod[]> {
    const { items } = JSON.parse(await this.kubectl('get', 'pods', '-o', 'json')) as { items: PodJson[] };
    return items.map(({ metadata, spec, status }) => ({
      name: metadata.name,
      component: metadata.labels?.['app.kubernetes.io/component'] ?? '',
      node: spec.nodeName ?? '',
      image: spec.containers[0]!.image,
      phase: status.phase,
      ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      terminating: metadata.deletionTimestamp !== undefined,
    }));
  }

  /** The pods of one component that are Ready and not stopping. */
  async readyPods(component: string): Promise<Pod[]> {
    return (await this.pods()).filter((pod) => pod.component === component && pod.ready && !pod.terminating);
  }

  /** What a node says about its readiness (True, False, Unknown), by node name. */
  async nodeReadiness(): Promise<Map<string, string>> {
    const out = await this.kubectl(
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
    );
    return new Map(out.split('\n').map((line) => line.split('\t') as [string, string]));
  }

  /** nginx's access-log lines of answers ≥ 500 and its notes about upstreams: a failure's explanation. */
  async proxyNotes(lines = 40): Promise<string> {
    const logs = await this.kubectl('logs', '-l', 'app.kubernetes.io/component=nginx', '--tail', '400').catch(
      (error: Error) => `(no nginx logs: ${error.message})`,
    );
    const notes = logs.split('\n').filter((line) => !line.includes('"requestId"') || /"status":5\d\d/.test(line));
    return notes.slice(-lines).join('\n');
  }

  /** Tags an image every node holds with a new tag, in each node's containerd: e.g. a release to roll out. */
  async tagInNodes(nodes: number, image: string, tag: string): Promise<void> {
    for (let n = 1; n <= nodes; n++) {
      const ctr = ['exec', this.nodeName(n), 'ctr', '--namespace', 'k8s.io', 'images'];
      const { stdout } = await run('docker', [...ctr, 'list', '--quiet']);
      // containerd names images in full, as the kubelet asks for them.
      const imported = stdout.split('\n').find((ref) => ref.endsWith(`/${image}`));
      if (!imported) throw new Error(`${this.nodeName(n)} has no image ${image}`);
      await run('docker', [...ctr, 'tag', '--force', imported, imported.replace(/:[^:/]+$/, `:${tag}`)]);
    }
  }

  private async script(name: string, env: Record<string, string> = {}, args: string[] = []): Promise<void> {
    await run('bash', [join(repoRoot, 'deploy', 'kubernetes', 'local', name), ...args], {
      cwd: repoRoot,
      env: { ...this.env, ...env },
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: MAX_OUTPUT,
    });
  }
}
