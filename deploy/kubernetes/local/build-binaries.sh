#!/usr/bin/env bash
# The local cluster's binaries, pinned, built from their Go modules into .cache/k8s/bin (nothing installed
# system-wide): kubelet, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubectl (Kubernetes
# v1.34.4), etcd, CoreDNS, metrics-server. Idempotent: a binary already built from the same package at the same
# version (`go version -m` reads that from the binary) is kept. Cold, on 2 cores, this takes 15+ minutes
# (Kubernetes alone about 12); Go's module and build caches (~/go, ~/.cache/go-build) make rebuilds short.
#
# usage: deploy/kubernetes/local/build-binaries.sh [kubernetes|etcd|coredns|metrics-server|keda ...]
#        (no argument: all but keda, which the cluster runs only when it was built)
set -euo pipefail

readonly KUBERNETES_VERSION=v1.34.4
readonly ETCD_VERSION=v3.6.17
readonly COREDNS_VERSION=v1.13.2
readonly METRICS_SERVER_VERSION=v0.9.0
# v2.21.1 needs Go 1.27.4; v2.21.0 is the newest that builds with Go 1.26.
readonly KEDA_VERSION=v2.21.0
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
bin_dir=$repo_root/.cache/k8s/bin

log() { printf 'k8s-binaries: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
command -v go >/dev/null 2>&1 || die "Go is missing: install Go 1.26 (the modules below build with it)"

# `go version -m` names the main package and its module's version.
built_from() { go version -m "$1" 2>/dev/null | awk '$1 == "path" { p = $2 } $1 == "mod" { v = $3 } END { print p "@" v }'; }

# Runs a command, showing its output only when it fails.
quietly() {
  local output
  output=$("$@" 2>&1) || { printf '%s\n' "$output" >&2; return 1; }
}

# build MODULE VERSION SIBLING_VERSION LDFLAGS NAME=PACKAGE...
# A throwaway main module requires MODULE@VERSION. These modules build from their own repositories, whose go.mod
# `replace`s sibling modules with local directories (Kubernetes' staging tree, etcd's api/client/pkg); replace
# directives of a dependency are ignored, so each local replace becomes the sibling's published SIBLING_VERSION,
# and every other replace and exclude is copied as it is. That selects the versions the project's own build uses.
build() {
  local module=$1 version=$2 sibling_version=$3 ldflags=$4
  shift 4
  local binary missing=()
  for binary in "$@"; do
    [ "$(built_from "$bin_dir/${binary%%=*}")" = "${binary#*=}@$version" ] || missing+=("$binary")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "cached: ${*%%=*} ($version)"
    return 0
  fi
  log "building ${missing[*]%%=*} ($version) with $(go version | cut -d' ' -f3)"
  local work
  work=$(mktemp -d)
  (
    trap 'rm -rf "$work"' EXIT
    cd "$work"
    quietly go mod init flipstack-k8s-binaries
    local go_mod
    go_mod=$(go mod download -json "$module@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
    [ -f "$go_mod" ] || die "no go.mod for $module@$version"
    # go.mod's replace and exclude directives, block or single-line form, as `go mod edit` flags.
    awk -v sibling="$sibling_version" '
      function path_major(p) { return match(p, /\/v[0-9]+$/) ? substr(p, RSTART + 2) : 1 }
      function version_major(v) { v = substr(v, 2); sub(/\..*/, "", v); return v == 0 ? 1 : v }
      function emit(kind, text,   f, n, arrow, old) {
        gsub(/^[ \t]+|[ \t]+$/, "", text)
        if (text == "") return
        n = split(text, f, /[ \t]+/)
        if (kind == "exclude") { print "-exclude=" f[1] "@" f[2]; return }
        arrow = (f[2] == "=>") ? 2 : 3 # old [old-version] => new [new-version]
        old = (arrow == 3) ? f[1] "@" f[2] : f[1]
        if (f[arrow + 1] ~ /^[.\/]/) {
          # Only a module path that can carry that version (the major-version suffix rule): etcd also
          # points the modules it forbids at a missing directory.
          if (path_major(f[1]) == version_major(sibling)) print "-replace=" old "=" f[1] "@" sibling
          return
        }
        else print "-replace=" old "=" f[arrow + 1] ((arrow + 2 <= n) ? "@" f[arrow + 2] : "")
      }
      { line = $0; sub(/\/\/.*/, "", line) }
      /^(replace|exclude) \($/ { block = $1; next }
      block && /^\)/ { block = ""; next }
      block { emit(block, line); next }
      /^(replace|exclude) / { kind = $1; sub(/^(replace|exclude) /, "", line); emit(kind, line) }
    ' "$go_mod" | xargs -r go mod edit
    go mod edit -require="$module@$version"
    local packages=("${missing[@]#*=}")
    quietly go get "${packages[@]/%/@$version}"
    mkdir -p "$bin_dir"
    for binary in "${missing[@]}"; do
      log "go build ${binary#*=}"
      CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" go build -ldflags "-s -w $ldflags" -o "$bin_dir/${binary%%=*}" "${binary#*=}"
    done
  )
  log "built into $bin_dir: ${missing[*]%%=*}"
}

# Without these the components report v0.0.0, and the apiserver derives its API emulation version from it.
kubernetes_ldflags() {
  local flags="" pkg minor=${KUBERNETES_VERSION#v1.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  printf '%s' "$flags"
}

build_one() {
  local k=k8s.io/kubernetes/cmd
  case $1 in
    kubernetes)
      build k8s.io/kubernetes "$KUBERNETES_VERSION" "v0.${KUBERNETES_VERSION#v1.}" "$(kubernetes_ldflags)" \
        kube-apiserver=$k/kube-apiserver kube-controller-manager=$k/kube-controller-manager \
        kube-scheduler=$k/kube-scheduler kubelet=$k/kubelet kube-proxy=$k/kube-proxy kubectl=$k/kubectl
      ;;
    etcd) build go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION" "" etcd=go.etcd.io/etcd/server/v3 ;;
    coredns) build github.com/coredns/coredns "$COREDNS_VERSION" "$COREDNS_VERSION" "" coredns=github.com/coredns/coredns ;;
    metrics-server)
      build sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION" "$METRICS_SERVER_VERSION" \
        "-X sigs.k8s.io/metrics-server/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
        metrics-server=sigs.k8s.io/metrics-server/cmd/metrics-server
      ;;
    keda)
      build github.com/kedacore/keda/v2 "$KEDA_VERSION" "$KEDA_VERSION" \
        "-X github.com/kedacore/keda/v2/version.Version=$KEDA_VERSION" \
        keda-operator=github.com/kedacore/keda/v2/cmd/operator keda-adapter=github.com/kedacore/keda/v2/cmd/adapter
      ;;
    *) die "unknown component: $1" ;;
  esac
}

if [ $# -eq 0 ]; then
  set -- kubernetes etcd coredns metrics-server
fi
for component in "$@"; do build_one "$component"; done
