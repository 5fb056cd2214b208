import { readFileSync } from 'node:fs';

// What a kubelet or kube-proxy inside a node container would set on this machine if a node let them (its
// /proc/sys is the host's): the kubelet's kernel tunables, and the conntrack table's size.
const PATHS = [
  'vm/overcommit_memory',
  'kernel/panic',
  'kernel/panic_on_oops',
  'net/netfilter/nf_conntrack_max',
] as const;

/** This machine's values of the kernel settings a local Kubernetes node must never change. */
export function hostSysctls(): Record<string, string> {
  return Object.fromEntries(PATHS.map((path) => [path, readFileSync(`/proc/sys/${path}`, 'utf8').trim()]));
}
