#!/bin/bash
# Keeps nginx's `upstream service` equal to the replicas of the service that are ready.
#
# Debian's nginx 1.22 resolves upstream host names once, at start. This loop asks Docker's embedded DNS
# (127.0.0.11, via /etc/resolv.conf) for every address of $UPSTREAM_HOST every $UPSTREAM_POLL_SECONDS,
# and when the set changes rewrites the `server` lines and reloads nginx gracefully (old workers finish
# their in-flight requests). A new replica joins once its /readyz answers 200, so nginx never sends
# traffic to a container that is still starting; a member leaves when DNS drops it (its container stopped)
# or its /readyz says 503 shutting_down (graceful shutdown began). A member whose /readyz is 503 for another
# reason is kept: in queue mode every api says queue_unavailable while Redis is down, and dropping them all
# would turn the api's JSON 503 (with Retry-After) into nginx's 502 "No replica". A member that refuses
# connections is kept too: that is a worker restarting inside its container (PM2 is back within a second),
# and dropping it would leave nginx with nobody when every replica restarts at once; nginx's own retries
# step over it meanwhile. A slow or busy member is kept as well: only shutting_down or its absence from DNS
# removes it.
#
# usage: upstream-watch.sh --once   write servers.conf once (before nginx starts)
#        upstream-watch.sh          watch forever
set -uo pipefail

readonly HOST=${UPSTREAM_HOST:-service}
readonly PORT=${UPSTREAM_PORT:-3000}
readonly INTERVAL=${UPSTREAM_POLL_SECONDS:-2}
readonly SERVERS_CONF=/run/nginx-upstream/servers.conf
# Passive failure detection: one failed attempt (connection error, connect timeout, 502) makes every nginx
# worker skip that replica for 3 s, long enough for this loop to drop a replica that is leaving. A slow flip
# is never a failed attempt — it ends, at worst as the service's own 504, before proxy_read_timeout — so
# slow flips cannot mark replicas down. Each replica is also listed BACKUP_COPIES times as a backup that is
# never marked: when every primary is marked at once (all replicas restarting a worker in the same seconds),
# nginx tries the backups instead of answering "no live upstreams". Twice, because a try is one peer: with
# one replica per core, two replicas listed once more would give a request four tries, and in the crash run
# (every worker exits within 10 s, resetting every connection it holds) 8 % of requests met four resets.
# Trying a replica again is sound: its port is back as soon as PM2 has restarted the worker (node:cluster's
# primary closes it only while a replica has no worker at all, the one-worker replica's restart).
readonly PRIMARY_PARAMS="max_fails=1 fail_timeout=3s"
readonly BACKUP_PARAMS="max_fails=0 backup"
readonly BACKUP_COPIES=2
# With no ready replica nginx still needs one server line; this one is never used, so clients get
# nginx's JSON 502 until a replica is ready.
readonly NO_REPLICA="server 127.0.0.1:9 down;"

log() { printf 'upstream-watch: %s\n' "$*" >&2; }

resolve() {
  getent ahostsv4 "$HOST" | awk '{ print $1 }' | sort -u
}

# GET /readyz's status, then the error code of a JSON error answer ("200", "503 shutting_down"), spoken over
# bash's /dev/tcp because the image has no HTTP client; nothing when the connection is refused or timed out.
readyz_answer() {
  timeout 2 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET /readyz HTTP/1.1\r\nHost: upstream-watch\r\nConnection: close\r\n\r\n" >&3
    read -r _ status _ <&3 || exit 1
    code=$(grep -o "\"code\":\"[a-z_]*\"" <&3 | head -n 1 | cut -d "\"" -f 4)
    printf "%s" "$status${code:+ $code}"
  ' "$1" "$PORT" 2>/dev/null
}

# Prints the next member set, one address per line, from the resolved addresses ($2) and the applied
# set ($1).
next_members() {
  local applied=$1 addresses=$2 ip answer
  for ip in $addresses; do
    answer=$(readyz_answer "$ip")
    if grep -qx "$ip" <<<"$applied"; then
      [ "$answer" = "503 shutting_down" ] || echo "$ip"
    else
      [ "$answer" = 200 ] && echo "$ip"
    fi
  done
}

write_servers_conf() {
  local members=$1 ip
  mkdir -p "$(dirname "$SERVERS_CONF")"
  {
    if [ -z "$members" ]; then
      echo "$NO_REPLICA"
    fi
    for ip in $members; do
      echo "server $ip:$PORT $PRIMARY_PARAMS;"
    done
    for _ in $(seq "$BACKUP_COPIES"); do
      for ip in $members; do
        echo "server $ip:$PORT $BACKUP_PARAMS;"
      done
    done
  } >"$SERVERS_CONF.next"
  mv "$SERVERS_CONF.next" "$SERVERS_CONF"
}

applied_members() {
  [ -f "$SERVERS_CONF" ] && awk '$1 == "server" && $NF != "down;" && $NF != "backup;" { sub(/:[0-9]+$/, "", $2); print $2 }' "$SERVERS_CONF"
}

if [ "${1:-}" = --once ]; then
  members=$(next_members "" "$(resolve)")
  write_servers_conf "$members"
  log "starting with replicas: ${members//$'\n'/ }"
  exit 0
fi

applied=$(applied_members)
dns_answered=yes
while sleep "$INTERVAL"; do
  # No answer means no replica is running (scaled to zero) or DNS is unavailable: keep the current set
  # rather than guess, and say so once.
  if ! addresses=$(resolve); then
    [ "$dns_answered" = no ] || log "no address for '$HOST'; keeping replicas: ${applied//$'\n'/ }"
    dns_answered=no
    continue
  fi
  dns_answered=yes
  members=$(next_members "$applied" "$addresses")
  [ "$members" = "$applied" ] && continue
  write_servers_conf "$members"
  if nginx -s reload 2>/dev/null; then
    log "replicas now: ${members//$'\n'/ } (were: ${applied//$'\n'/ })"
    applied=$members
  else
    log "nginx reload failed; retrying"
  fi
done
