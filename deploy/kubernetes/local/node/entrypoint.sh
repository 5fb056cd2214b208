#!/bin/bash
# Runs one Kubernetes node inside an unprivileged container (deploy/kubernetes/local/up.sh starts it with every
# capability but CAP_SYS_RESOURCE, no seccomp filter, unmasked /proc and /sys, all devices, its own cgroup
# namespace): containerd, kube-proxy and the kubelet, and ends the container when any of them ends.
#   POD_CIDR   this node's pod addresses (its CNI bridge's host-local range), e.g. 10.244.1.0/24
#   CLUSTER_CIDR  every node's pod addresses, e.g. 10.244.0.0/16
# /etc/kubernetes (read-only, from up.sh): the kubeconfigs of kubelet and kube-proxy, the cluster CA and both
# components' configuration files.
set -euo pipefail

log() { printf 'k8s-node: %s\n' "$*" >&2; }

# Writable /sys and cgroup v1 hierarchies, as for the swarm nodes (deploy/swarm/node/entrypoint.sh): the kubelet
# creates the pods' cgroups there.
mount -o remount,rw /sys
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  for hierarchy in /sys/fs/cgroup/*; do
    [ -L "$hierarchy" ] || mount -o remount,bind,rw "$hierarchy" 2>/dev/null || true
  done
fi
# Volumes the kubelet mounts into pods (emptyDir, secrets) must propagate to containerd's view of them.
mount --make-rshared /
# The kubelet's OOM watcher reads the kernel log.
[ -e /dev/kmsg ] || mknod /dev/kmsg c 1 11
# Nodes started from one image would otherwise share an identity.
openssl rand -hex 16 >/etc/machine-id

# /proc/sys here is the host's (systempaths=unconfined): the kubelet would set the host's kernel tunables. Each
# one it sets is covered by a file holding the value it wants, so it finds nothing to change and the host keeps
# its own. A failed mount ends the node before the kubelet starts.
tunables=/run/k8s-node-sysctl
mkdir -p "$tunables"
while read -r path value; do
  file=$tunables/${path//\//_}
  printf '%s\n' "$value" >"$file"
  mount --bind "$file" "/proc/sys/$path"
done <<'TUNABLES'
vm/overcommit_memory 1
vm/panic_on_oom 0
kernel/panic 10
kernel/panic_on_oops 1
kernel/keys/root_maxkeys 1000000
kernel/keys/root_maxbytes 25000000
TUNABLES

# The node routes pod traffic: per network namespace, so this one only.
echo 1 >/proc/sys/net/ipv4/ip_forward
# Pods reach addresses outside the pod network (the apiserver, the Docker network) from the node's address.
iptables -t nat -A POSTROUTING -s "$POD_CIDR" ! -d "$CLUSTER_CIDR" -j MASQUERADE

# One bridge per node with its own host-local range; up.sh adds the routes to the other nodes' ranges.
mkdir -p /etc/cni/net.d
cat >/etc/cni/net.d/10-flipstack.conflist <<CNI
{
  "cniVersion": "1.0.0",
  "name": "flipstack",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }] }
    }
  ]
}
CNI

node_ip=$(ip -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
export PATH=/opt/k8s/bin:$PATH
# A node container restarted by Docker keeps its volume: the killed containerd's state must not stop the new one.
rm -rf /run/containerd
containerd &
until ctr version >/dev/null 2>&1; do sleep 0.2; done
kube-proxy --config /etc/kubernetes/kube-proxy.yaml &
kubelet --config /etc/kubernetes/kubelet.yaml --kubeconfig /etc/kubernetes/kubelet.kubeconfig \
  --node-ip "$node_ip" &
log "node $(hostname) at $node_ip, pods in $POD_CIDR"
# Whichever ends first ends the node; Docker's restart policy (none) or the test decides what comes next.
wait -n
log "a component exited; stopping the node"
exit 1
