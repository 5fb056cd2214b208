#!/usr/bin/env bash
# Runs Compose v2 (`docker compose`) where the plugin exists, else the standalone v1 `docker-compose`;
# docker-compose.yml works with both.
set -euo pipefail
# One stack per machine for the make targets, whatever the clone's directory is called.
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-flipstack}
if docker compose version >/dev/null 2>&1; then
  exec docker compose "$@"
fi
exec docker-compose "$@"
