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
  if [[ -x "${bin_dir}/k6" ]] && "${bin_dir}/k6" version | grep -q "k6 ${K6_VERSION} "; then
    echo "k6: cached ${bin_dir}/k6 (${K6_VERSION})"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "k6: not on PATH and Go is missing; install Go >= 1.25 (k6 ${K6_VERSION} needs it) or k6 itself" >&2
    exit 1
  fi
  echo "k6: building ${K6_VERSION} with $(go version | cut -d' ' -f3) into ${bin_dir} (a few minutes the first time)"
  mkdir -p "${bin_dir}"
  # GOBIN keeps the binary inside the project; the Go build and module caches stay in
  # their default places so a rebuild (new clone, new version) reuses compiled packages.
  GOBIN="${bin_dir}" GOFLAGS="${GOFLAGS:-} -trimpath" CGO_ENABLED=0 go install "go.k6.io/k6@${K6_VERSION}"
  echo "k6: built $("${bin_dir}/k6" version | head -n1)"
}

install_k6
bash "${repo_root}/deploy/install-packages.sh" ab=apache2-utils
echo "ab: using $(command -v ab)"
