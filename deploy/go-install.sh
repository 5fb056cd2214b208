#!/usr/bin/env bash
# Builds one Go command, pinned, from its module into a file inside the project (.cache/bin), nothing
# installed system-wide. Shared by install-k6.sh, install-k8s-tools.sh and install-compose-v2.sh.
# Idempotent: returns at once when the binary there was built from the same package at the same version
# (`go version -m` reads that from the binary itself), or when Go is missing and a binary is already there.
#
# usage: deploy/go-install.sh <binary path> <package>@<version> [go build flags...]
set -euo pipefail

binary=$(realpath -m "$1") package_at_version=$2
shift 2
package=${package_at_version%@*}
name=$(basename "$binary")
log() { printf '%s: %s\n' "$name" "$*" >&2; }
# Runs a command, showing its output only when it fails.
quietly() {
  local output
  output=$("$@" 2>&1) || { printf '%s\n' "$output" >&2; return 1; }
}

if ! command -v go >/dev/null 2>&1; then
  # Only Go reads which version a binary was built from: without it a built one is used as it is.
  if [ -x "$binary" ]; then
    log "Go is missing: using $binary as it is, unchecked against $package_at_version"
    exit 0
  fi
  log "Go is missing: install Go (the version its module's go.mod names) or $name itself"
  exit 1
fi
# `go version -m` names the main package and its module's version, also for the builds below.
built_from() { go version -m "$binary" 2>/dev/null | awk '$1 == "path" { p = $2 } $1 == "mod" { v = $3 } END { print p "@" v }'; }
if [ -x "$binary" ] && [ "$(built_from)" = "$package_at_version" ]; then
  log "cached $binary ($package_at_version)"
  exit 0
fi

log "building $package_at_version with $(go version | cut -d' ' -f3) (minutes the first time on a machine)"
mkdir -p "$(dirname "$binary")"
# Not `go install pkg@version`: it refuses modules whose go.mod has exclude directives (Compose's has). A
# throwaway main module that requires the package with those exclusions selects the same dependency versions
# as the module's own build. The Go build and module caches stay in their default places, so a rebuild (a new
# clone, a new version) reuses what was compiled and downloaded before.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
quietly go mod init flipstack-go-install
quietly go get "$package_at_version"
module_go_mod=$(go list -f '{{.Module.GoMod}}' "$package")
if grep -q '^replace' "$module_go_mod"; then
  log "$package_at_version's module replaces dependencies; building it needs its own source tree"
  exit 1
fi
excluded=$(awk '/^exclude \(/ { block = 1; next } block && /^\)/ { block = 0; next }
  block && NF >= 2 && $1 !~ /^\/\// { print $1 "@" $2 } /^exclude [^(]/ { print $2 "@" $3 }' "$module_go_mod")
if [ -n "$excluded" ]; then
  for module in $excluded; do go mod edit -exclude="$module"; done
  quietly go get "$package_at_version"
fi
GOFLAGS="${GOFLAGS:-} -trimpath" CGO_ENABLED=0 go build -o "$binary" "$@" "$package"
log "built $binary"
