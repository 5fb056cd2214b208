# Names shared by deploy/swarm/up.sh and down.sh (sourced). Everything made for one swarm carries SWARM_PREFIX in
# its name and the label below, so down.sh finds all of it and nothing else.
readonly PREFIX=${SWARM_PREFIX:-flipstack}
[[ $PREFIX =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "swarm: SWARM_PREFIX must be lower-case letters, digits, dashes" >&2; exit 1; }
readonly LABEL=org.flipstack.swarm=$PREFIX
readonly NETWORK=$PREFIX-swarm
readonly REGISTRY_NAME=$PREFIX-registry
export IMAGE_TAG=${IMAGE_TAG:-latest}
readonly NODE_IMAGE=flipstack-swarm-node:$IMAGE_TAG
# The manager's API socket and the translated compose file.
readonly STATE_DIR=$PWD/.cache/swarm/$PREFIX
# The stack's name inside the swarm: services are flipstack_service and flipstack_nginx.
readonly STACK=flipstack
# nginx's port on the node it runs on (docker-compose.yml's HTTP_PORT default).
readonly NODE_HTTP_PORT=8080

log() { printf 'swarm: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
node_name() { printf '%s-node%s' "$PREFIX" "$1"; }
# A command against the swarm's manager, as against a remote one.
swarm() { DOCKER_HOST=unix://$STATE_DIR/manager.sock "$@"; }
source "$(dirname "${BASH_SOURCE[0]}")/../retry.sh"
