#!/usr/bin/env bash
# The images of the local cluster's own pods, built here from binaries (build-binaries.sh) onto an empty base,
# since nothing can be pulled: the pod sandbox ("pause", compiled from Kubernetes' own build/pause/linux/pause.c)
# CoreDNS and metrics-server. Idempotent: an image already present is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly PAUSE_IMAGE=flipstack-k8s-pause:3.10
readonly COREDNS_IMAGE=flipstack-k8s-coredns:v1.13.2
readonly METRICS_SERVER_IMAGE=flipstack-k8s-metrics-server:v0.9.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

present() { docker image inspect "$1" >/dev/null 2>&1; }

# scratch_image IMAGE BINARY [ENTRYPOINT ARGUMENTS...]: BINARY alone in an image, as its entrypoint.
scratch_image() {
  local image=$1 binary=$2 context=$work/$(basename "$2")
  shift 2
  mkdir -p "$context"
  cp "$binary" "$context/"
  local entrypoint
  entrypoint=$(printf '"%s",' "/$(basename "$binary")" "$@")
  printf 'FROM scratch\nCOPY %s /\nENTRYPOINT [%s]\n' "$(basename "$binary")" "${entrypoint%,}" >"$context/Dockerfile"
  docker build --quiet --tag "$image" "$context" >/dev/null
  log "built $image"
}

if ! present "$PAUSE_IMAGE"; then
  source_dir=$(cd "$work" && go mod download -json k8s.io/kubernetes@v1.34.4 | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  gcc -Os -Wall -Werror -static -DVERSION=v3.10 -o "$work/pause" "$source_dir/build/pause/linux/pause.c"
  strip "$work/pause"
  scratch_image "$PAUSE_IMAGE" "$work/pause"
fi
present "$COREDNS_IMAGE" || scratch_image "$COREDNS_IMAGE" "$BIN_DIR/coredns"
present "$METRICS_SERVER_IMAGE" || scratch_image "$METRICS_SERVER_IMAGE" "$BIN_DIR/metrics-server"
