#!/usr/bin/env bash
# `make up`: a Docker engine, the base images, the stack built and running with REPLICAS replicas of the
# service behind nginx, healthy. Safe to rerun: each step returns at once when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=${REPLICAS:-3}
port=${HTTP_PORT:-8080}
compose() { bash deploy/compose.sh "$@"; }

# Optional parts join COMPOSE_PROFILES (Compose v1.28+ and v2 read it), so they combine: MONITORING=1 MODE=queue.
add_profile() { COMPOSE_PROFILES=${COMPOSE_PROFILES:+$COMPOSE_PROFILES,}$1; export COMPOSE_PROFILES; }
[ "${MONITORING:-0}" = 1 ] && add_profile monitoring
log() { printf 'up: %s\n' "$*" >&2; }

bash deploy/install-docker.sh
bash deploy/offline-images.sh
compose build --quiet
compose up --detach --scale "service=$replicas"

log "waiting for $replicas healthy replicas"
deadline=$((SECONDS + 120))
while :; do
  healthy=0
  for id in $(compose ps --quiet service); do
    if [ "$(docker inspect --format '{{.State.Health.Status}}' "$id")" = healthy ]; then healthy=$((healthy + 1)); fi
  done
  [ "$healthy" -ge "$replicas" ] && break
  if [ $SECONDS -ge $deadline ]; then
    compose ps >&2
    log "only $healthy of $replicas replicas became healthy; see: make logs"
    exit 1
  fi
  sleep 1
done

# loadtest/ targets localhost:8080 unless told otherwise.
k6_target=""
[ "$port" = 8080 ] || k6_target="-e BASE_URL=http://localhost:$port "

next() { printf '  %-52s # %s\n' "$1" "$2"; }
printf '\nflipstack is up: nginx on http://localhost:%s in front of %s replicas.\n' "$port" "$replicas"
next "curl -i http://localhost:$port/" "served by which replica and process"
next "curl -s http://localhost:$port/flip -X POST" "the demo flip job"
echo "Next:"
# k6 is on PATH, or where `make k6` builds it.
k6=k6
command -v k6 >/dev/null || k6=.cache/bin/k6
next "$k6 run ${k6_target}loadtest/flip.js" "load test through nginx (make k6 first if it is missing)"
next "make monit" "pm2 monit inside replica 1 (REPLICA=n for another)"
if [ "${MONITORING:-0}" = 1 ]; then
  next "http://127.0.0.1:${PROMETHEUS_PORT:-9090}/graph" "Prometheus (README: Observability)"
fi
echo "  make scale N=5 | make logs | make down"
