#!/usr/bin/env bash
# Installs Debian's wrk (the HTTP load generator `npm run bench` drives the gateway benchmark with) when missing.
set -euo pipefail
if ! command -v wrk >/dev/null; then
  echo "setup: installing wrk from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
fi
