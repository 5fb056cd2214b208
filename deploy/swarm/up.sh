#!/usr/bin/env bash
# `make swarm-up`: a Docker Swarm of NODES simulated hosts on this one machine, the stack deployed on it,
# serving through nginx on 127.0.0.1:HTTP_PORT.
#
# Each node is a container running its own Docker engine (deploy/swarm/node/), on a bridge network of its own,
# like hosts on a LAN. A local registry (registry:2, or its Debian stand-in) holds the images, every node pulls
# from it. node1 is the manager, runs nginx with its port published on the node (mode: host), and that port is
# published on the host's 127.0.0.1. The manager's API is a socket under .cache/swarm/<prefix>/, so this
# machine's `docker` CLI drives the swarm as it would a remote manager:
#   DOCKER_HOST=unix://$PWD/.cache/swarm/flipstack/manager.sock docker node ls
#
#   NODES        (default 3) simulated hosts; node1 is the manager, the rest workers
#   SWARM_PREFIX (default flipstack) prefix of every container, network, volume and socket made here, so
#                several swarms can share one engine; deploy/swarm/down.sh removes them by it
#   HTTP_PORT    (default 8080) port on 127.0.0.1 where nginx answers
#   REPLICAS     (default 3) replicas of the service; IMAGE_TAG, COMPOSE_PROFILES and the stack's other settings
#                as for compose; COMPOSE_PROFILES=queue deploys queue mode (deploy/swarm/stack-queue.yml)
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/swarm/common.sh

nodes=${NODES:-3}
http_port=${HTTP_PORT:-8080}
[[ $nodes =~ ^[1-9][0-9]*$ ]] || die "NODES must be a positive number, not '$nodes'"

bash deploy/install-docker.sh
bash deploy/offline-images.sh
bash deploy/install-packages.sh curl=curl
docker network inspect "$NETWORK" >/dev/null 2>&1 && die "swarm '$PREFIX' exists already: make swarm-down first"
started=$SECONDS

log "building the images"
bash deploy/compose.sh build --quiet service nginx
docker build --quiet --tag "$NODE_IMAGE" deploy/swarm/node >/dev/null

mkdir -p "$STATE_DIR"
docker network create --label "$LABEL" "$NETWORK" >/dev/null
# Created here, not by `docker run`, so they carry the label down.sh looks for.
volume() { docker volume create --label "$LABEL" "$1"; }

log "starting the registry"
docker run --detach --name "$REGISTRY_NAME" --label "$LABEL" --network "$NETWORK" \
  --volume "$(volume "$REGISTRY_NAME"):/var/lib/registry" --publish 127.0.0.1::5000 registry:2 >/dev/null
registry_port=$(docker port "$REGISTRY_NAME" 5000/tcp | head -1 | sed 's/.*://')
# This engine pushes through the published port (127.0.0.0/8 is trusted without TLS); the nodes pull through
# the network by the registry's name, listed as an insecure registry on each node.
profiles=${COMPOSE_PROFILES:-}
images=("flipstack-service:$IMAGE_TAG" "flipstack-nginx:$IMAGE_TAG")
stack_files=(--compose-file deploy/swarm/stack.yml)
# Queue mode: Redis's image too, and the queue roles' swarm settings.
if [[ ,$profiles, == *,queue,* ]]; then
  images+=(redis:7-bookworm)
  stack_files+=(--compose-file deploy/swarm/stack-queue.yml)
fi
for image in "${images[@]}"; do
  pushed=127.0.0.1:$registry_port/$image
  docker tag "$image" "$pushed"
  retry 10 docker push --quiet "$pushed" >/dev/null
  docker rmi "$pushed" >/dev/null
done

log "starting $nodes nodes"
for n in $(seq 1 "$nodes"); do
  name=$(node_name "$n")
  run_args=() dockerd_args=(--insecure-registry "$REGISTRY_NAME:5000")
  if [ "$n" = 1 ]; then
    run_args=(--publish "127.0.0.1:$http_port:$NODE_HTTP_PORT" --volume "$STATE_DIR:/swarm-api")
    dockerd_args+=(--host unix:///swarm-api/manager.sock)
  fi
  # Everything --privileged gives except CAP_SYS_RESOURCE (see node/entrypoint.sh).
  docker run --detach --name "$name" --hostname "$name" --label "$LABEL" --network "$NETWORK" \
    --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined \
    --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm' \
    --volume "$(volume "$name"):/var/lib/docker" "${run_args[@]}" \
    "$NODE_IMAGE" "${dockerd_args[@]}" >/dev/null
done
for n in $(seq 1 "$nodes"); do
  retry 60 docker exec "$(node_name "$n")" docker info >/dev/null
done

log "forming the swarm"
manager=$(node_name 1)
manager_ip=$(docker inspect --format "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$manager")
swarm docker swarm init --advertise-addr "$manager_ip" >/dev/null
token=$(swarm docker swarm join-token --quiet worker)
for n in $(seq 2 "$nodes"); do
  docker exec "$(node_name "$n")" docker swarm join --token "$token" "$manager_ip:2377" >/dev/null
done

log "deploying the stack"
# COMPOSE_PROFILES (comma-separated) adds the services of those profiles, as it does for `docker compose up`.
node --import tsx deploy/swarm/stack-file.ts docker-compose.yml ${profiles//,/ } >"$STATE_DIR/compose.yml"
# HTTP_PORT is nginx's port on its node here, as on a real host; this machine's port maps to it.
REGISTRY=$REGISTRY_NAME:5000 HTTP_PORT=$NODE_HTTP_PORT swarm docker stack deploy --resolve-image never \
  --compose-file "$STATE_DIR/compose.yml" "${stack_files[@]}" "$STACK" >/dev/null

url=http://127.0.0.1:$http_port
log "waiting for $url to serve"
deadline=$((SECONDS + 240))
until curl -fsS --max-time 2 "$url/" >/dev/null 2>&1; do
  if [ $SECONDS -ge $deadline ]; then
    swarm docker stack ps --no-trunc "$STACK" >&2 || true
    die "the stack did not serve within 240 s"
  fi
  sleep 1
done

printf '\nA swarm of %s nodes serves on %s (up in %s s; a simulation of %s hosts on this machine).\n' \
  "$nodes" "$url" $((SECONDS - started)) "$nodes"
printf '  %-64s # %s\n' "curl -i $url/" "X-Served-By names the node" \
  "export DOCKER_HOST=unix://$STATE_DIR/manager.sock" "then: docker node ls, docker service ps ${STACK}_service" \
  "make swarm-down${SWARM_PREFIX:+ SWARM_PREFIX=$SWARM_PREFIX}" "remove every node, network and volume"
