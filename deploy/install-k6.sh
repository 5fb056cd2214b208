#!/usr/bin/env bash
# Bootstrap the load-test tools: k6 (built from its Go module, pinned) and ApacheBench.
# Idempotent: a second run finds the cached binary and returns at once.
# Prints nothing but progress; the k6 binary ends up on PATH or in .cache/bin/k6.
set -euo pipefail

K6_VERSION="v1.8.1"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${repo_root}/.cache/bin"

install_k6() {
  if command -v k6 >/dev/null 2>&1; then
    echo "k6: using $(command -v k6) ($(k6 version | head -n1))"
    return
  fi
  bash "${repo_root}/deploy/go-install.sh" "${bin_dir}/k6" "go.k6.io/k6@${K6_VERSION}"
}

install_k6
bash "${repo_root}/deploy/install-packages.sh" ab=apache2-utils
echo "ab: using $(command -v ab)"
