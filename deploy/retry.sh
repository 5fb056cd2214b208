# retry TRIES COMMAND...: runs the command until it succeeds, once a second, at most TRIES times; only the last
# try shows its errors. Sourced by the local clusters' scripts (deploy/swarm/common.sh,
# deploy/kubernetes/local/common.sh).
retry() {
  local tries=$1 n
  shift
  for ((n = 1; ; n++)); do
    "$@" 2>/dev/null && return 0
    [ "$n" -lt "$tries" ] || { "$@"; return; }
    sleep 1
  done
}
