#!/usr/bin/env bash
# Make sure a Docker engine and a compose tool answer on this machine.
#
# - Already running: nothing to do (fast path, so `make up` stays idempotent).
# - Debian/Ubuntu as root: installs docker.io (+ docker-compose when neither `docker compose` nor
#   `docker-compose` exists) and starts dockerd in the background if no init system manages it (without the
#   userland proxy, see start_engine).
# - Anything else: stops with a message naming what to install.
set -euo pipefail

log() { printf 'install-docker: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }
engine_up() { docker info >/dev/null 2>&1; }
compose_present() { docker compose version >/dev/null 2>&1 || have docker-compose; }

can_apt() { [ "$(id -u)" -eq 0 ] && have apt-get; }

install_packages() {
  local pkgs=()
  have docker || have dockerd || pkgs+=(docker.io)
  compose_present || pkgs+=(docker-compose)
  [ ${#pkgs[@]} -eq 0 ] && return 0
  can_apt || die "missing ${pkgs[*]}: install Docker Engine and Docker Compose (https://docs.docker.com/engine/install/), then rerun"
  log "installing ${pkgs[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
}

start_engine() {
  # A systemd host starts the daemon itself; containers and minimal machines have no init system.
  if have systemctl && [ -d /run/systemd/system ]; then
    systemctl start docker
    return
  fi
  [ "$(id -u)" -eq 0 ] || die "the Docker daemon is not running; start it (or run this as root)"
  have dockerd || die "dockerd not found: install docker.io (Debian/Ubuntu) or Docker Engine"
  local logfile=/var/log/dockerd.log
  log "starting dockerd in the background (log: $logfile)"
  # Published ports through the kernel's NAT instead of a docker-proxy process per port, which copies every
  # byte in user space: half a millisecond of CPU per /cpu request (`make bench-stack-factors`). An engine
  # started otherwise keeps its own setting; docs/containers.md says how to change it.
  nohup setsid dockerd --userland-proxy=false >"$logfile" 2>&1 </dev/null &
}

wait_for_engine() {
  local deadline=$((SECONDS + 60))
  until engine_up; do
    [ $SECONDS -lt $deadline ] || die "dockerd did not answer within 60 s; see /var/log/dockerd.log"
    sleep 1
  done
}

if engine_up && compose_present; then
  exit 0
fi
install_packages
engine_up || { start_engine; wait_for_engine; }
log "Docker engine is up ($(docker version --format '{{.Server.Version}}'))"
