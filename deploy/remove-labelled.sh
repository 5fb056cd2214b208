#!/usr/bin/env bash
# Removes every container (with its anonymous volumes), network and volume of this machine's Docker engine that
# carries the label LABEL: how the local clusters' down scripts (deploy/swarm/down.sh,
# deploy/kubernetes/local/down.sh) find all they made and nothing else. Safe to rerun.
#
# usage: deploy/remove-labelled.sh KEY=VALUE
set -euo pipefail

label=$1
containers=$(docker ps --all --quiet --filter "label=$label")
[ -z "$containers" ] || docker rm --force --volumes $containers >/dev/null
networks=$(docker network ls --quiet --filter "label=$label")
[ -z "$networks" ] || docker network rm $networks >/dev/null
volumes=$(docker volume ls --quiet --filter "label=$label")
[ -z "$volumes" ] || docker volume rm $volumes >/dev/null
