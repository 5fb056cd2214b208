#!/usr/bin/env bash
# Imports images from this machine's Docker engine into the containerd of each local node
# (deploy/kubernetes/local/): nothing in the cluster is ever pulled. The project's own images, built under
# IMAGE_TAG, are also tagged `local` there, the tag the local overlays run (deploy/kubernetes/local/overlays/):
# with a `latest` tag the kubelet would try to pull them.
#
# usage: load-images.sh NODES IMAGE...
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

nodes=$1
shift
archive=$(mktemp)
trap 'rm -f "$archive"' EXIT
docker save --output "$archive" "$@"
# import_into NODE: the archive into the node's containerd, the project's images tagged `local` there.
import_into() {
  local node=$1 image imported listed
  retry 60 docker exec "$node" ctr version >/dev/null
  docker exec -i "$node" ctr --namespace k8s.io images import - <"$archive" >/dev/null
  # Listed once, then searched: `ctr … | grep -m1` under pipefail fails when grep's early exit kills ctr (SIGPIPE).
  listed=$(docker exec "$node" ctr --namespace k8s.io images list --quiet)
  for image in "${images[@]}"; do
    [[ $image == flipstack-service:$IMAGE_TAG || $image == flipstack-nginx:$IMAGE_TAG ]] || continue
    # containerd names it in full, as the kubelet will ask for it.
    imported=$(grep -m1 -F "/$image" <<<"$listed")
    docker exec "$node" ctr --namespace k8s.io images tag --force "$imported" "${imported%:*}:local" >/dev/null
  done
}

# Every node at once: the import is mostly unpacking, on the node's own volume.
images=("$@")
pids=()
for n in $(seq 1 "$nodes"); do
  import_into "$(node_name "$n")" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
