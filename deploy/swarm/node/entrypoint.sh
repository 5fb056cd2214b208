#!/bin/sh
# Starts dockerd inside an unprivileged container. `docker run --privileged` is refused on some hosts (the
# bounding set lacks CAP_SYS_RESOURCE); the node runs instead with every other capability, no seccomp filter,
# unmasked /proc and /sys and access to all devices (deploy/swarm/up.sh), and this makes the rest writable:
#   - /sys is mounted read-only into containers; dockerd writes cgroups and network settings under it;
#   - each cgroup v1 hierarchy is mounted read-only too, and a plain `remount,rw` of it fails with "busy",
#     while a bind remount changes only this mount's flags.
# Arguments are passed to dockerd (e.g. --insecure-registry).
set -eu

mount -o remount,rw /sys
if [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  for hierarchy in /sys/fs/cgroup/*; do
    [ -L "$hierarchy" ] || mount -o remount,bind,rw "$hierarchy" 2>/dev/null || true
  done
fi

# A restarted node keeps its volume: the pid files of the killed engine would stop the new one.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid /run/docker/containerd/containerd.pid

exec dockerd --host unix:///var/run/docker.sock "$@"
