#!/usr/bin/env bash
# `make k8s-up`: a Kubernetes cluster of NODES simulated hosts on this one machine, with real kubelets running
# real containers, and flipstack applied to it as shipped (deploy/kubernetes/overlays/MODE) through the local
# overlay (deploy/kubernetes/local/overlays/MODE), serving through nginx on 127.0.0.1:HTTP_PORT.
#
# Every host is a container on one Docker network of its own, like hosts on a LAN: the control plane's four
# (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) and one per node running containerd,
# kube-proxy and the kubelet (node/). The binaries are built once from their Go modules (build-binaries.sh). Each
# node gets the project's images imported into its containerd (nothing is pulled), one CNI bridge with its own
# /24 of pods, and routes to the other nodes' pods. nginx's NodePort on node1 is published on this machine's
# 127.0.0.1, standing in for a cloud load balancer in front of the nodes.
#
#   NODES       (default 2) nodes that run pods
#   MODE        (default inline) inline or queue: which of deploy/kubernetes/overlays/ to apply
#   K8S_PREFIX  (default flipstack-k8s) prefix of every container, network and volume made here, so several
#               clusters can share one engine; deploy/kubernetes/local/down.sh removes them by it
#   HTTP_PORT   (default 8080) port on 127.0.0.1 where nginx answers
#   IMAGE_TAG   (default latest) the tag of the project's images to load (as for compose)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

nodes=${NODES:-2}
mode=${MODE:-inline}
http_port=${HTTP_PORT:-8080}
[[ $nodes =~ ^[1-9][0-9]?$ ]] || die "NODES must be a number from 1 to 99, not '$nodes'"
[[ $mode =~ ^(inline|queue)$ ]] || die "MODE must be inline or queue, not '$mode'"
docker network inspect "$NETWORK" >/dev/null 2>&1 && die "cluster '$PREFIX' exists already: make k8s-down first"

bash deploy/install-docker.sh
bash deploy/offline-images.sh
bash deploy/install-k8s-tools.sh
bash deploy/install-packages.sh curl=curl gcc=gcc
bash deploy/kubernetes/local/build-binaries.sh
started=$SECONDS

log "building the images"
bash deploy/compose.sh build --quiet service nginx
docker build --quiet --tag "$NODE_IMAGE" deploy/kubernetes/local/node >/dev/null
bash deploy/kubernetes/local/addon-images.sh

mkdir -p "$STATE_DIR"
docker network create --label "$LABEL" "$NETWORK" >/dev/null
# Created here, not by `docker run`, so they carry the label down.sh looks for.
volume() { docker volume create --label "$LABEL" "$1"; }
node_names=()
for n in $(seq 1 "$nodes"); do node_names+=("$(node_name "$n")"); done
bash deploy/kubernetes/local/pki.sh "${node_names[@]}"
pki=$STATE_DIR/pki

log "starting the control plane"
# Control-plane hosts: the node image with one binary as its process, the certificates read-only.
control_plane() {
  local name=$1
  shift
  docker run --detach --name "$PREFIX-$name" --hostname "$PREFIX-$name" --label "$LABEL" --network "$NETWORK" \
    --volume "$BIN_DIR:/opt/k8s/bin:ro" --volume "$STATE_DIR:/etc/kubernetes:ro" "$@" >/dev/null
}
control_plane etcd --volume "$(volume "$PREFIX-etcd"):/var/lib/etcd" --entrypoint /opt/k8s/bin/etcd "$NODE_IMAGE" \
  --data-dir /var/lib/etcd --name "$PREFIX-etcd" \
  --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls "http://$PREFIX-etcd:2379"
# NET_ADMIN: routes to the pods, for the aggregated APIs (metrics-server) reached at their pods' addresses.
control_plane apiserver --cap-add NET_ADMIN --publish 127.0.0.1::6443 --entrypoint /opt/k8s/bin/kube-apiserver \
  "$NODE_IMAGE" \
  --etcd-servers "http://$PREFIX-etcd:2379" --secure-port 6443 --service-cluster-ip-range "$SERVICE_CIDR" \
  --tls-cert-file /etc/kubernetes/pki/apiserver.crt --tls-private-key-file /etc/kubernetes/pki/apiserver.key \
  --client-ca-file /etc/kubernetes/pki/ca.crt \
  --kubelet-client-certificate /etc/kubernetes/pki/apiserver-kubelet-client.crt \
  --kubelet-client-key /etc/kubernetes/pki/apiserver-kubelet-client.key \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file /etc/kubernetes/pki/sa.pub \
  --service-account-signing-key-file /etc/kubernetes/pki/sa.key \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --requestheader-client-ca-file /etc/kubernetes/pki/ca.crt --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file /etc/kubernetes/pki/front-proxy-client.crt \
  --proxy-client-key-file /etc/kubernetes/pki/front-proxy-client.key --enable-aggregator-routing \
  --profiling=false
apiserver_port=$(docker port "$APISERVER" 6443/tcp | head -1 | sed 's/.*://')
"$BIN_DIR/kubectl" --kubeconfig "$STATE_DIR/admin.kubeconfig" config set-cluster "$PREFIX" \
  --server "https://127.0.0.1:$apiserver_port" >/dev/null
# The controller-manager exits on RBAC that is not bootstrapped yet: it starts once the apiserver is ready.
retry 120 kubectl get --raw /readyz >/dev/null
control_plane controller-manager --entrypoint /opt/k8s/bin/kube-controller-manager "$NODE_IMAGE" \
  --kubeconfig /etc/kubernetes/controller-manager.kubeconfig \
  --authentication-kubeconfig /etc/kubernetes/controller-manager.kubeconfig \
  --authorization-kubeconfig /etc/kubernetes/controller-manager.kubeconfig \
  --use-service-account-credentials --service-account-private-key-file /etc/kubernetes/pki/sa.key \
  --root-ca-file /etc/kubernetes/pki/ca.crt --cluster-signing-cert-file /etc/kubernetes/pki/ca.crt \
  --cluster-signing-key-file /etc/kubernetes/pki/ca.key --service-cluster-ip-range "$SERVICE_CIDR" \
  --leader-elect=false --profiling=false
control_plane scheduler --entrypoint /opt/k8s/bin/kube-scheduler "$NODE_IMAGE" \
  --kubeconfig /etc/kubernetes/scheduler.kubeconfig \
  --authentication-kubeconfig /etc/kubernetes/scheduler.kubeconfig \
  --authorization-kubeconfig /etc/kubernetes/scheduler.kubeconfig --leader-elect=false --profiling=false

log "starting $nodes nodes"
for n in $(seq 1 "$nodes"); do
  name=$(node_name "$n")
  config=$STATE_DIR/nodes/$name
  mkdir -p "$config"
  cp "$pki/ca.crt" "$config/ca.crt"
  cp "$STATE_DIR/$name.kubeconfig" "$config/kubelet.kubeconfig"
  cp "$STATE_DIR/kube-proxy.kubeconfig" "$config/kube-proxy.kubeconfig"
  cp deploy/kubernetes/local/node/kube-proxy.yaml deploy/kubernetes/local/node/kubelet.yaml "$config/"
  run_args=()
  [ "$n" != 1 ] || run_args=(--publish "127.0.0.1:$http_port:$NODE_PORT")
  # Everything --privileged gives except CAP_SYS_RESOURCE (see node/entrypoint.sh), as for the swarm's nodes.
  docker run --detach --name "$name" --hostname "$name" --label "$LABEL" --network "$NETWORK" \
    --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm' --cgroupns private \
    --tmpfs /run --tmpfs /tmp --volume "$(volume "$name"):/var/lib/containerd" \
    --volume "$BIN_DIR:/opt/k8s/bin:ro" --volume "$config:/etc/kubernetes:ro" \
    --env "POD_CIDR=10.244.$n.0/24" --env "CLUSTER_CIDR=$CLUSTER_CIDR" "${run_args[@]}" "$NODE_IMAGE" >/dev/null
done
bash deploy/kubernetes/local/routes.sh "$nodes"

log "loading the images into every node"
# Redis's too in inline mode: deploy/kubernetes/local/apply.sh may switch the cluster to queue mode.
images=("flipstack-service:$IMAGE_TAG" "flipstack-nginx:$IMAGE_TAG" redis:7-bookworm flipstack-k8s-pause:3.10 \
  flipstack-k8s-coredns:v1.13.2 flipstack-k8s-metrics-server:v0.9.0)
bash deploy/kubernetes/local/load-images.sh "$nodes" "${images[@]}"

all_nodes_ready() {
  local ready
  ready=$(kubectl get nodes --output 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}')
  [ "$(grep -o True <<<"$ready" | wc -l)" -eq "$nodes" ]
}
retry 120 all_nodes_ready
# The node whose NodePort this machine reaches (deploy/kubernetes/local/overlays/queue keeps Redis there).
kubectl label node "$(node_name 1)" flipstack/entry=true >/dev/null
log "images built and loaded, nodes Ready: $((SECONDS - started)) s"
kubectl apply --filename deploy/kubernetes/local/addons/ >/dev/null
# One local volume per node for the storage class above.
for name in "${node_names[@]}"; do
  docker exec "$name" mkdir -p "$LOCAL_VOLUME"
  kubectl apply --filename - >/dev/null <<PV
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $name
spec:
  capacity: {storage: 8Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: local
  persistentVolumeReclaimPolicy: Retain
  local: {path: $LOCAL_VOLUME}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: kubernetes.io/hostname, operator: In, values: [$name]}
PV
done

bash deploy/kubernetes/local/apply.sh "$mode"

url=http://127.0.0.1:$http_port
log "waiting for $url to serve"
deadline=$((SECONDS + 300))
until curl -fsS --max-time 2 "$url/" >/dev/null 2>&1; do
  if [ $SECONDS -ge $deadline ]; then
    kubectl get pods --all-namespaces --output wide >&2 || true
    die "the cluster did not serve within 300 s"
  fi
  sleep 1
done

printf '\nA Kubernetes cluster of %s nodes serves flipstack (%s mode) on %s (up in %s s; %s simulated hosts on this machine).\n' \
  "$nodes" "$mode" "$url" $((SECONDS - started)) "$nodes"
printf '  %-72s # %s\n' "curl -i $url/" "X-Served-By names the pod" \
  "export KUBECONFIG=$STATE_DIR/admin.kubeconfig" "the cluster's administrator" \
  "$BIN_DIR/kubectl get pods -n flipstack -o wide" "which pod runs on which node" \
  "make k8s-down${K8S_PREFIX:+ K8S_PREFIX=$K8S_PREFIX}" "remove every node, network and volume"
