#!/usr/bin/env bash
# `make k8s-down`: removes every container, network and volume deploy/kubernetes/local/up.sh made for K8S_PREFIX
# (default flipstack-k8s), found by their label, and the cluster's certificates; the pods inside the nodes go
# with the nodes. Safe to rerun.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$REPO_ROOT/deploy/remove-labelled.sh" "$LABEL"
rm -rf "$STATE_DIR"
rmdir --ignore-fail-on-non-empty "$(dirname "$STATE_DIR")" 2>/dev/null || true
log "removed cluster '$PREFIX'"
