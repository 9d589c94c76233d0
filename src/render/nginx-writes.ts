// Pure: the folders an nginx binary writes in at run time whatever nginx.conf says, read from its configure
// arguments (`nginx -V`): the compiled-in temp paths it creates at start, and the folder of the error log it opens
// before reading the conf. A read-only root file system needs each of them writable (an emptyDir in a pod).
import { posix } from "node:path";

/** A folder nginx writes in; `name` says what for (a DNS label, usable as a volume name). */
export interface WritableDir {
  name: string;
  path: string;
}

/** The temp paths nginx creates at start (ngx_create_paths), with the module that owns each and its default. */
const TEMP_PATHS = [
  { name: "client-body-temp", flag: "http-client-body-temp-path", def: "client_body_temp" },
  {
    name: "proxy-temp",
    flag: "http-proxy-temp-path",
    def: "proxy_temp",
    module: "http_proxy_module",
  },
  {
    name: "fastcgi-temp",
    flag: "http-fastcgi-temp-path",
    def: "fastcgi_temp",
    module: "http_fastcgi_module",
  },
  {
    name: "uwsgi-temp",
    flag: "http-uwsgi-temp-path",
    def: "uwsgi_temp",
    module: "http_uwsgi_module",
  },
  { name: "scgi-temp", flag: "http-scgi-temp-path", def: "scgi_temp", module: "http_scgi_module" },
] as const;

/**
 * What nginx built with `configureArgs` writes under `prefix` (its `-p`): one entry per temp path (skipping modules
 * built `--without-...`) and the startup error log's folder unless it logs to stderr. Relative paths resolve
 * against `prefix`, as nginx resolves them.
 */
export function nginxWritableDirs(prefix: string, configureArgs: readonly string[]): WritableDir[] {
  const opt = (name: string) =>
    configureArgs.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const abs = (p: string) =>
    posix.normalize(p.startsWith("/") ? p : posix.join(prefix, p)).replace(/(.)\/+$/, "$1");
  const out: WritableDir[] = [];
  const errorLog = opt("error-log-path") ?? "logs/error.log";
  if (errorLog !== "stderr") out.push({ name: "logs", path: posix.dirname(abs(errorLog)) });
  for (const t of TEMP_PATHS) {
    if ("module" in t && configureArgs.includes(`--without-${t.module}`)) continue;
    out.push({ name: t.name, path: abs(opt(t.flag) ?? t.def) });
  }
  return out;
}
