#!/usr/bin/env bash
# `make k8s-down`: removes every container, network and volume deploy/kubernetes/local/up.sh made for K8S_PREFIX
# (default flipstack-k8s), found by their label, and the cluster's certificates; the pods inside the nodes go
# with the nodes. Safe to rerun.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

containers=$(docker ps --all --quiet --filter "label=$LABEL")
[ -z "$containers" ] || docker rm --force --volumes $containers >/dev/null
networks=$(docker network ls --quiet --filter "label=$LABEL")
[ -z "$networks" ] || docker network rm $networks >/dev/null
volumes=$(docker volume ls --quiet --filter "label=$LABEL")
[ -z "$volumes" ] || docker volume rm $volumes >/dev/null
rm -rf "$STATE_DIR"
rmdir --ignore-fail-on-non-empty "$(dirname "$STATE_DIR")" 2>/dev/null || true
log "removed cluster '$PREFIX'"
