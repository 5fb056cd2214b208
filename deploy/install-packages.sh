#!/usr/bin/env bash
# Installs the Debian packages that provide commands missing from PATH.
#   usage: deploy/install-packages.sh COMMAND=PACKAGE ...     e.g. ab=apache2-utils nginx=nginx
# Commands already present are left alone, so it returns at once on a prepared machine. As root with apt-get
# (Debian/Ubuntu) the missing packages are installed; anywhere else it stops, naming what to install.
set -euo pipefail

log() { printf 'install-packages: %s\n' "$*" >&2; }

missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  log "missing: ${missing[*]} (Debian/Ubuntu package names); install them, then rerun"
  exit 1
fi
log "installing ${missing[*]} with apt-get"
# No daemon started by a package's install script (nginx's would take port 80): tests start their own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
