#!/usr/bin/env bash
# Applies deploy/kubernetes/overlays/MODE, as shipped, through the local overlay (deploy/kubernetes/local/overlays/)
# to the local cluster K8S_PREFIX. Both modes live in the namespace `flipstack`: when the other mode is there, its
# namespace is deleted first and its pods stop as they would on any cluster (preStop, graceful stop).
#
# usage: apply.sh inline|queue
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mode=$1
case $mode in
  inline) front=flipstack-service ;;
  queue) front=flipstack-api ;;
  *) die "MODE must be inline or queue, not '$mode'" ;;
esac
if kubectl get namespace flipstack >/dev/null 2>&1 && ! kubectl --namespace flipstack get deployment "$front" >/dev/null 2>&1; then
  log "removing the other mode's namespace"
  kubectl delete namespace flipstack --wait --timeout 180s >/dev/null
fi
log "applying deploy/kubernetes/overlays/$mode through deploy/kubernetes/local/overlays/$mode"
"$REPO_ROOT/.cache/bin/kustomize" build "$REPO_ROOT/deploy/kubernetes/local/overlays/$mode" | kubectl apply --filename - >/dev/null
