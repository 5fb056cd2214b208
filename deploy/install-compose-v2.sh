#!/usr/bin/env bash
# Compose v2 for `make test-compose-v2`: the `docker compose` plugin when the machine has one, else v2 built
# from its Go module (pinned) into .cache/bin/docker-compose-v2, which runs standalone.
# Deliberately not installed as a CLI plugin: deploy/compose.sh prefers `docker compose` wherever it exists,
# and everything else here keeps exercising the v1 `docker-compose` (1.29) this machine ships.
# Idempotent: a second run finds the plugin or the cached binary and returns at once.
set -euo pipefail

# The last release of the github.com/docker/compose/v2 module (later ones moved to /v5); go.mod: Go >= 1.24.9.
readonly COMPOSE_VERSION=v2.40.3
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The plugin's line of releases: v2, and v5 that continues it (v3 and v4 were skipped).
plugin=$(docker compose version --short 2>/dev/null || true)
if [[ $plugin =~ ^v?([2-9]|[1-9][0-9]+)\. ]]; then
  echo "docker-compose-v2: using the plugin, docker compose $plugin"
  exit 0
fi
# Compose's own Makefile stamps the version this way; without it `version` says "dev".
bash "$repo_root/deploy/go-install.sh" "$repo_root/.cache/bin/docker-compose-v2" \
  "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION" \
  -ldflags="-w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION"
