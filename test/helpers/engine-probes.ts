// What the engine-image probe prints (src/engine/probe.ts PROBE_SCRIPT) in images of known layouts, for pure tests.

/**
 * Debian bookworm's nginx 1.22 package (configure arguments as `nginx -V` prints them, trimmed of compiler
 * flags and most --with-* modules) with lua-nginx-module and wasm-nginx-module as dynamic modules, and the
 * Lua libraries under /usr/share/lua/5.1.
 */
export const DEBIAN_NGINX_PROBE = [
  "@@bin /usr/sbin/nginx",
  "@@V",
  "nginx version: nginx/1.22.1",
  "built with OpenSSL 3.0.11 19 Sep 2023",
  "TLS SNI support enabled",
  "configure arguments: --with-cc-opt='-g -O2 -fPIC' --with-ld-opt='-Wl,-z,relro -fPIC' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=stderr --lock-path=/var/lock/nginx.lock --pid-path=/run/nginx.pid --modules-path=/usr/lib/nginx/modules --http-client-body-temp-path=/var/lib/nginx/body --http-fastcgi-temp-path=/var/lib/nginx/fastcgi --http-proxy-temp-path=/var/lib/nginx/proxy --http-scgi-temp-path=/var/lib/nginx/scgi --http-uwsgi-temp-path=/var/lib/nginx/uwsgi --with-compat --with-pcre-jit --with-http_ssl_module --with-http_v2_module --with-threads",
  "@@end",
  "@@files",
  "/usr/lib/nginx/modules/ndk_http_module.so",
  "/usr/lib/nginx/modules/ngx_http_lua_module.so",
  "/usr/lib/nginx/modules/ngx_http_wasm_module.so",
  "/usr/share/lua/5.1/resty/http.lua",
  "/usr/share/lua/5.1/resty/proxy-wasm.lua",
  "/usr/local/lib/libwasmtime.so",
  "/usr/local/lib/libwasmedge_c.so",
  "@@end",
].join("\n");
