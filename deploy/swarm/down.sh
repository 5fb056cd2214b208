#!/usr/bin/env bash
# `make swarm-down`: removes every container, network and volume deploy/swarm/up.sh made for SWARM_PREFIX
# (default flipstack), found by their label; the tasks inside the nodes go with the nodes. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/swarm/common.sh

bash deploy/remove-labelled.sh "$LABEL"
rm -rf "$STATE_DIR"
rmdir --ignore-fail-on-non-empty "$(dirname "$STATE_DIR")" 2>/dev/null || true
log "removed swarm '$PREFIX'"
