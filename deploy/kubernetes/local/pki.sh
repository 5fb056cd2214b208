#!/usr/bin/env bash
# The local cluster's certificates and kubeconfigs, made with openssl into $STATE_DIR (deploy/kubernetes/local/):
# one CA signs the apiserver's serving certificate and every client's (nodes, kube-proxy, controller-manager,
# scheduler, the administrator, the apiserver towards kubelets and as the aggregation front proxy), plus the
# service-account signing key pair. Kubernetes reads a client's user from CN and its groups from O.
#
# usage: pki.sh NODE_NAME...
# The administrator's kubeconfig points at the apiserver's name on the cluster's network; up.sh sets its host
# port once the apiserver runs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pki=$STATE_DIR/pki
mkdir -p "$pki"
cd "$pki"
quiet() { "$@" 2>/dev/null; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=$PREFIX-ca"
quiet openssl genrsa -out sa.key 2048
quiet openssl rsa -in sa.key -pubout -out sa.pub

# cert NAME SUBJECT [SUBJECT_ALT_NAMES]
cert() {
  local name=$1 subject=$2 sans=${3:-}
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subject"
  local extensions="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=${sans:+serverAuth,}clientAuth${sans:+
subjectAltName=$sans}"
  quiet openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -out "$name.crt" \
    -extfile <(printf '%s\n' "$extensions")
  rm "$name.csr"
}

# kubeconfig NAME SERVER: a kubeconfig for the client certificate NAME.
kubeconfig() {
  local name=$1 server=$2
  cat >"$STATE_DIR/$name.kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: $PREFIX
    cluster:
      server: $server
      certificate-authority-data: $(base64 -w0 ca.crt)
users:
  - name: $name
    user:
      client-certificate-data: $(base64 -w0 "$name.crt")
      client-key-data: $(base64 -w0 "$name.key")
contexts:
  - name: $PREFIX
    context: {cluster: $PREFIX, user: $name}
current-context: $PREFIX
KUBECONFIG
}

cert apiserver "/CN=kube-apiserver" "DNS:$APISERVER,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:$APISERVER_SERVICE_IP,IP:127.0.0.1"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert front-proxy-client "/CN=front-proxy-client"
inside=https://$APISERVER:6443
cert admin "/O=system:masters/CN=$PREFIX-admin" && kubeconfig admin "$inside"
cert controller-manager "/CN=system:kube-controller-manager" && kubeconfig controller-manager "$inside"
cert scheduler "/CN=system:kube-scheduler" && kubeconfig scheduler "$inside"
cert kube-proxy "/CN=system:kube-proxy" && kubeconfig kube-proxy "$inside"
for node in "$@"; do
  cert "$node" "/O=system:nodes/CN=system:node:$node" && kubeconfig "$node" "$inside"
done
