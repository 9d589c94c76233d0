#!/usr/bin/env bash
# Installs make and xz (the offline build.sh test runs the generated script against test-made tarballs) when missing.
set -euo pipefail
need=()
command -v make >/dev/null || need+=(make)
command -v xz >/dev/null || need+=(xz-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
