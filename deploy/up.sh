#!/usr/bin/env bash
# `make up`: a Docker engine, the base images, the stack built and running with REPLICAS replicas of the
# service behind nginx, healthy. Safe to rerun: each step returns at once when its work is already done.
# MODE=queue starts queue mode instead: nginx -> API_REPLICAS api replicas -> Redis -> WORKERS worker replicas.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${MODE:-inline}
# Three replicas, whatever the cores: one replica has one PM2 instance (SERVICE_CPUS=1), and while that instance
# restarts its port is closed (node's cluster primary closes the listening socket with its last instance), so
# two replicas on a 2-core host both refused connections at once in the crash run (1,444 of 3,409 failed); a
# third costs nothing on /cpu (`make bench-stack-factors`) and is the headroom. See docs/containers.md.
replicas=${REPLICAS:-3}
port=${HTTP_PORT:-8080}
compose() { bash deploy/compose.sh "$@"; }

# Optional parts join COMPOSE_PROFILES (Compose v1.28+ and v2 read it), so they combine: MONITORING=1 MODE=queue.
add_profile() { COMPOSE_PROFILES=${COMPOSE_PROFILES:+$COMPOSE_PROFILES,}$1; export COMPOSE_PROFILES; }
[ "${MONITORING:-0}" = 1 ] && add_profile monitoring
log() { printf 'up: %s\n' "$*" >&2; }

# Waits until `count` containers of compose service $1 report healthy.
wait_healthy() {
  local service=$1 count=$2 healthy id deadline=$((SECONDS + 120))
  log "waiting for $count healthy $service replicas"
  while :; do
    healthy=0
    for id in $(compose ps --quiet "$service"); do
      if [ "$(docker inspect --format '{{.State.Health.Status}}' "$id")" = healthy ]; then healthy=$((healthy + 1)); fi
    done
    [ "$healthy" -ge "$count" ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      compose ps >&2
      log "only $healthy of $count $service replicas became healthy; see: make logs"
      exit 1
    fi
    sleep 1
  done
}

bash deploy/install-docker.sh
bash deploy/offline-images.sh
case $mode in
  inline)
    compose build --quiet
    compose up --detach --scale "service=$replicas"
    wait_healthy service "$replicas"
    ;;
  queue)
    # The compose-native form of this block: deploy/queue.env (profile `queue`, nginx in front of `api`).
    api_replicas=${API_REPLICAS:-2}
    workers=${WORKERS:-$(nproc)}
    add_profile queue
    export UPSTREAM_HOST=api
    compose build --quiet
    compose up --detach --scale service=0 --scale "api=$api_replicas" --scale "worker=$workers"
    wait_healthy api "$api_replicas"
    wait_healthy worker "$workers"
    ;;
  *)
    log "MODE must be inline or queue, not '$mode'"
    exit 1
    ;;
esac

# loadtest/ targets localhost:8080 unless told otherwise.
k6_target=""
[ "$port" = 8080 ] || k6_target="-e BASE_URL=http://localhost:$port "

next() { printf '  %-52s # %s\n' "$1" "$2"; }
if [ "$mode" = queue ]; then
  printf '\nflipstack is up in queue mode: nginx on http://localhost:%s -> %s api replicas -> Redis -> %s workers.\n' \
    "$port" "$api_replicas" "$workers"
else
  printf '\nflipstack is up: nginx on http://localhost:%s in front of %s replicas.\n' "$port" "$replicas"
fi
next "curl -i http://localhost:$port/" "served by which replica and process"
next "curl -s http://localhost:$port/flip -X POST" "the demo flip job"
echo "Next:"
# k6 is on PATH, or where `make k6` builds it.
k6=k6
command -v k6 >/dev/null || k6=.cache/bin/k6
next "$k6 run ${k6_target}loadtest/flip.js" "load test through nginx (make k6 first if it is missing)"
if [ "$mode" = queue ]; then
  next "$k6 run ${k6_target}loadtest/jobs.js" "ten async jobs: submit, poll, fetch (POST /jobs)"
  echo "  make scale-workers N=4 | make logs | make down"
else
  next "make monit" "pm2 monit inside replica 1 (REPLICA=n for another)"
  echo "  make scale N=5 | make logs | make down"
fi
if [ "${MONITORING:-0}" = 1 ]; then
  next "http://127.0.0.1:${PROMETHEUS_PORT:-9090}/graph" "Prometheus (docs/observability.md)"
fi
