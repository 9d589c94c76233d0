// Where nginx writes whatever its conf says, read from `nginx -V`: what a read-only root file system must leave writable.
import { describe, expect, it } from "vitest";
import { nginxWritableDirs } from "../../src/render/nginx-writes.js";
import { parseProbeOutput, probeToTarget } from "../../src/engine/probe.js";
import { CONFIGURE_PRESETS } from "../../src/engine/configure-presets.js";
import { defaultTarget } from "../../src/render/target.js";
import { projectFrom } from "../helpers/project.js";
import { DEBIAN_NGINX_PROBE } from "../helpers/engine-probes.js";

describe("the folders nginx writes in at run time", () => {
  it("nginx's defaults: the startup error log's folder and five temp paths, under the prefix", () => {
    expect(nginxWritableDirs("/usr/local/openresty/nginx", [])).toEqual([
      { name: "logs", path: "/usr/local/openresty/nginx/logs" },
      { name: "client-body-temp", path: "/usr/local/openresty/nginx/client_body_temp" },
      { name: "proxy-temp", path: "/usr/local/openresty/nginx/proxy_temp" },
      { name: "fastcgi-temp", path: "/usr/local/openresty/nginx/fastcgi_temp" },
      { name: "uwsgi-temp", path: "/usr/local/openresty/nginx/uwsgi_temp" },
      { name: "scgi-temp", path: "/usr/local/openresty/nginx/scgi_temp" },
    ]);
  });

  it("Debian's nginx: temp paths under /var/lib/nginx, no log folder when it logs to stderr", () => {
    const probe = parseProbeOutput(DEBIAN_NGINX_PROBE);
    const { engine } = probeToTarget(probe, { vm: "wasmedge" }, "image debian");
    expect(engine!.target.writableDirs).toEqual([
      { name: "client-body-temp", path: "/var/lib/nginx/body" },
      { name: "proxy-temp", path: "/var/lib/nginx/proxy" },
      { name: "fastcgi-temp", path: "/var/lib/nginx/fastcgi" },
      { name: "uwsgi-temp", path: "/var/lib/nginx/uwsgi" },
      { name: "scgi-temp", path: "/var/lib/nginx/scgi" },
    ]);
    expect(engine!.target.prefix).toBe("/usr/share/nginx");
    expect(engine!.nginxBin).toBe("/usr/sbin/nginx");
  });

  it("relative paths resolve against the prefix; a module built --without-... has no temp path", () => {
    expect(
      nginxWritableDirs("/opt/gw", [
        "--error-log-path=var/log/error.log",
        "--http-client-body-temp-path=/var/cache/gw/body/",
        "--without-http_fastcgi_module",
        "--without-http_uwsgi_module",
        "--without-http_scgi_module",
        "--http-proxy-temp-path=tmp/proxy",
      ]),
    ).toEqual([
      { name: "logs", path: "/opt/gw/var/log" },
      { name: "client-body-temp", path: "/var/cache/gw/body" },
      { name: "proxy-temp", path: "/opt/gw/tmp/proxy" },
    ]);
  });

  it("orwasm's own build: the preset flags change no path; engine.configure.extraFlags do", () => {
    for (const flags of Object.values(CONFIGURE_PRESETS))
      expect(nginxWritableDirs("/p", flags)).toEqual(nginxWritableDirs("/p", []));
    const p = projectFrom(
      `engine: { configure: { extraFlags: [--http-proxy-temp-path=/var/cache/proxy] } }
servers: [{ listen: 8080, routes: [{ path: /, respond: { body: ok } }] }]
`,
      {},
    );
    expect(defaultTarget(p).writableDirs).toContainEqual({
      name: "proxy-temp",
      path: "/var/cache/proxy",
    });
  });
});
