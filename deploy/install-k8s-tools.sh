#!/usr/bin/env bash
# The offline Kubernetes checks' tools, pinned, inside the project (.cache/), nothing installed system-wide:
#   kustomize            built from its Go module into .cache/bin
#   kubernetes-validate  from PyPI into a venv at .cache/k8s-validate (ships the API schemas of 1.25-1.37)
# Idempotent: a second run finds both and returns at once.
set -euo pipefail

readonly KUSTOMIZE_VERSION=v5.8.2
readonly KUBERNETES_VALIDATE_VERSION=1.37.0
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin_dir=$repo_root/.cache/bin
venv=$repo_root/.cache/k8s-validate

log() { printf 'k8s-tools: %s\n' "$*" >&2; }

bash "$repo_root/deploy/go-install.sh" "$bin_dir/kustomize" "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"

# grep reads to the end (no -q): pip exits 1 when its output pipe closes early, which pipefail would count.
if ! "$venv/bin/pip" show kubernetes-validate 2>/dev/null | grep -x "Version: $KUBERNETES_VALIDATE_VERSION" >/dev/null; then
  # Debian keeps venv's ensurepip in a package of its own.
  if ! python3 -c 'import ensurepip' 2>/dev/null; then
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null || { log "missing: python3-venv; install it, then rerun"; exit 1; }
    log "installing python3-venv with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi
