// Facts about the machine and tool versions, printed in the report next to the numbers.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { k6Binary, REPO_ROOT } from './k6';

/** First line a command prints (stdout or stderr: nginx -v uses stderr), or "not installed". */
function versionOf(command: string, args: string[], pattern = /.*/): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) return 'not installed';
  const text = `${result.stdout}\n${result.stderr}`.trim();
  return pattern.exec(text)?.[0]?.trim() ?? text.split('\n')[0] ?? '';
}

function packageVersion(name: string): string {
  const path = join(REPO_ROOT, 'node_modules', name, 'package.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : 'not installed';
}

/** 1, 5 and 15 minute load averages: other work on the machine shows here. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}

export function machineFacts(): Record<string, string> {
  return {
    'CPU cores available': String(availableParallelism()),
    'CPU model': cpus()[0]?.model ?? 'unknown',
    Memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    Kernel: release(),
    'Load average at start (1/5/15 min)': loadAverage(),
    Node: process.version,
    k6: versionOf(k6Binary(), ['version'], /^k6 \S+/),
    ab: versionOf('ab', ['-V'], /Version \S+/),
    'nginx (host)': versionOf('nginx', ['-v'], /nginx\/\S+/),
    Docker: versionOf('docker', ['version', '--format', '{{.Server.Version}}']),
    jimp: packageVersion('jimp'),
    pm2: packageVersion('pm2'),
  };
}
