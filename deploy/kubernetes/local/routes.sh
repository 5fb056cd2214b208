#!/usr/bin/env bash
# Routes between the local cluster's hosts (deploy/kubernetes/local/): node n's pods (10.244.n.0/24) through node
# n's address on the cluster's Docker network, on every other node and on the apiserver. Idempotent: rerun it
# after a node container restarted (Docker may give it another address).
#
# usage: routes.sh NODES
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

nodes=$1
declare -A address
for n in $(seq 1 "$nodes"); do
  address[$n]=$(container_ip "$(node_name "$n")")
done
hosts=("$APISERVER")
for n in $(seq 1 "$nodes"); do hosts+=("$(node_name "$n")"); done
for host in "${hosts[@]}"; do
  # A node that is not running (killed by a test) has no address, and nothing to route.
  [ "$(docker inspect --format '{{.State.Running}}' "$host")" = true ] || continue
  for n in $(seq 1 "$nodes"); do
    [ "$host" = "$(node_name "$n")" ] || [ -z "${address[$n]}" ] \
      || docker exec "$host" ip route replace "10.244.$n.0/24" via "${address[$n]}"
  done
done
