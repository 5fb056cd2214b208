#!/usr/bin/env bash
# `make swarm-down`: removes every container, network and volume deploy/swarm/up.sh made for SWARM_PREFIX
# (default flipstack), found by their label; the tasks inside the nodes go with the nodes. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/swarm/common.sh

containers=$(docker ps --all --quiet --filter "label=$LABEL")
[ -z "$containers" ] || docker rm --force --volumes $containers >/dev/null
networks=$(docker network ls --quiet --filter "label=$LABEL")
[ -z "$networks" ] || docker network rm $networks >/dev/null
volumes=$(docker volume ls --quiet --filter "label=$LABEL")
[ -z "$volumes" ] || docker volume rm $volumes >/dev/null
rm -rf "$STATE_DIR"
rmdir --ignore-fail-on-non-empty "$(dirname "$STATE_DIR")" 2>/dev/null || true
log "removed swarm '$PREFIX'"
