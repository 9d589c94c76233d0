#!/usr/bin/env bash
# Installs Debian's nginx with the Lua module, so tests run `nginx -t` and the Lua glue in a real nginx.
# Idempotent; never leaves a root nginx daemon running (the package's own service start is suppressed).
# Debian's lua module needs OpenResty's LuaJIT (libluajit2), which conflicts with the `luajit` package:
# `luajit2` replaces it and still provides the `luajit` command the Lua glue tests run.
set -euo pipefail
if command -v nginx >/dev/null && [ -e /usr/lib/nginx/modules/ngx_http_lua_module.so ] &&
  command -v luajit >/dev/null; then
  exit 0
fi
echo "setup: installing nginx, libnginx-mod-http-lua and luajit2 from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian starts a freshly installed service; tests start their own nginx on loopback, so forbid that one.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx libnginx-mod-http-lua luajit2 >/dev/null
