#!/usr/bin/env bash
# Installs the system tools the tests use (LuaJIT, shellcheck) when missing. Idempotent and quiet on a second run.
set -euo pipefail
bash "$(dirname "$0")/setup-nginx.sh" # nginx + lua module + luajit2 (which provides `luajit`)
need=()
command -v luajit >/dev/null || need+=(luajit)
command -v shellcheck >/dev/null || need+=(shellcheck)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash "$(dirname "$0")/setup-go.sh"
bash "$(dirname "$0")/setup-wrk.sh"
bash "$(dirname "$0")/setup-build-tools.sh"
bash "$(dirname "$0")/docker-up.sh"
bash "$(dirname "$0")/setup-registry.sh"
bash "$(dirname "$0")/setup-redis.sh" install
