# Names shared by deploy/kubernetes/local/up.sh, down.sh and the tests' helpers (sourced). Everything made for one
# cluster carries K8S_PREFIX in its name and the label below, so down.sh finds all of it and nothing else.
readonly PREFIX=${K8S_PREFIX:-flipstack-k8s}
[[ $PREFIX =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "k8s: K8S_PREFIX must be lower-case letters, digits, dashes" >&2; exit 1; }
readonly LABEL=org.flipstack.k8s=$PREFIX
readonly NETWORK=$PREFIX
readonly REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
readonly BIN_DIR=$REPO_ROOT/.cache/k8s/bin
# Certificates, kubeconfigs and component configuration of this cluster.
readonly STATE_DIR=$REPO_ROOT/.cache/k8s/clusters/$PREFIX
export IMAGE_TAG=${IMAGE_TAG:-latest}
readonly NODE_IMAGE=flipstack-k8s-node:$IMAGE_TAG
readonly APISERVER=$PREFIX-apiserver
# Pod addresses: node n has 10.244.n.0/24. Service addresses: the first is the apiserver's, .10 is DNS.
readonly CLUSTER_CIDR=10.244.0.0/16
readonly SERVICE_CIDR=10.96.0.0/16
readonly APISERVER_SERVICE_IP=10.96.0.1
readonly DNS_SERVICE_IP=10.96.0.10
# Each node's one local PersistentVolume (addons/storage-class.yaml).
readonly LOCAL_VOLUME=/var/lib/flipstack-volume
# nginx's Service in the local overlays (deploy/kubernetes/local/overlays/*), on every node.
readonly NODE_PORT=30080

log() { printf 'k8s: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
node_name() { printf '%s-node%s' "$PREFIX" "$1"; }
container_ip() { docker inspect --format "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$1"; }
# kubectl as the cluster's administrator, from this machine.
kubectl() { "$BIN_DIR/kubectl" --kubeconfig "$STATE_DIR/admin.kubeconfig" "$@"; }
source "$REPO_ROOT/deploy/retry.sh"
