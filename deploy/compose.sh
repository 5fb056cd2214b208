#!/usr/bin/env bash
# Runs Compose v2 (`docker compose`) where the plugin exists, else the standalone v1 `docker-compose`;
# docker-compose.yml works with both.
set -euo pipefail
if docker compose version >/dev/null 2>&1; then
  exec docker compose "$@"
fi
exec docker-compose "$@"
