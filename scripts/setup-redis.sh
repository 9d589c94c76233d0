#!/usr/bin/env bash
# Debian's redis-server for the higress-profile tests: `install` (from setup-test-env.sh), `start` and `stop`
# (from the vitest global setup). It listens on loopback only, on a port of its own, with a password.
#   ORWASM_TEST_REDIS_PORT (default 6391), ORWASM_TEST_REDIS_PASSWORD (default orwasm-test)
set -euo pipefail
port="${ORWASM_TEST_REDIS_PORT:-6391}"
password="${ORWASM_TEST_REDIS_PASSWORD:-orwasm-test}"
dir="${TMPDIR:-/tmp}/orwasm-redis-$port"

case "${1:-install}" in
  install)
    if ! command -v redis-server >/dev/null; then
      echo "setup: installing redis-server from Debian's packages" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq redis-server >/dev/null
    fi
    ;;
  start)
    mkdir -p "$dir"
    if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then
      exit 0
    fi
    redis-server --bind 127.0.0.1 --port "$port" --requirepass "$password" --save "" --appendonly no \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --daemonize yes
    for _ in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$port" -a "$password" --no-auth-warning ping 2>/dev/null | grep -q PONG; then
        exit 0
      fi
      sleep 0.1
    done
    echo "setup-redis: redis-server did not answer on 127.0.0.1:$port; its log:" >&2
    tail -n 20 "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then
      kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
      rm -f "$dir/redis.pid"
    fi
    ;;
  *)
    echo "usage: setup-redis.sh install|start|stop" >&2
    exit 2
    ;;
esac
