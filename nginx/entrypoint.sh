#!/bin/sh
# Render the upstream from the replicas that are ready now, keep it current in the background, and run
# nginx in the foreground as the container's main process (SIGQUIT from `docker stop` = graceful stop).
set -eu
upstream-watch.sh --once
upstream-watch.sh &
exec nginx -g 'daemon off;'
