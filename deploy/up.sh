#!/usr/bin/env bash
# `make up`: a Docker engine, the base images, the stack built and running with REPLICAS replicas of the
# service behind nginx, healthy. Safe to rerun: each step returns at once when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

replicas=${REPLICAS:-3}
port=${HTTP_PORT:-8080}
compose() { bash deploy/compose.sh "$@"; }
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

cat <<MESSAGE

flipstack is up: nginx on http://localhost:$port in front of $replicas replicas.
  curl -i http://localhost:$port/
  curl -s -H 'Content-Type: image/jpeg' --data-binary @photo.jpg http://localhost:$port/flip -o flipped.jpg
Next:
  k6 run loadtest/flip.js        load test through nginx
  make monit                     PM2's live view of the workers
  make scale N=5 | make logs | make down
MESSAGE
