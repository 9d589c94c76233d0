// What `nginx -t` (or nginx at run time) would refuse, refused at load first with its line: ports, server names,
// names shadowed on one address, tokens longer than nginx's read buffer, statuses and header bytes nginx cannot send.
import type { PathKey } from "./locate.js";
import type { ProjectData } from "./schema.js";

type Add = (path: PathKey[], message: string, atKey?: boolean) => void;

/**
 * nginx reads its conf through a 4096-byte buffer and refuses a token that does not fit ("too long parameter").
 * orwasm quotes user values into single tokens; 4000 bytes leaves room for the quotes and escapes.
 */
export const MAX_NGINX_TOKEN = 4000;

/** The port of `host:port`, `[v6]:port` or a bare number; undefined for `unix:` paths. */
function portOf(listen: string | number): number | undefined {
  if (typeof listen === "number") return listen;
  if (listen.startsWith("unix:")) return undefined;
  const m = /:([0-9]+)$/.exec(listen);
  return m ? Number(m[1]) : undefined;
}

/** One spelling per address: `8080`, `*:8080` and `0.0.0.0:8080` are one socket; IPv6 is canonicalised. */
export function canonicalListen(listen: string | number): string {
  if (typeof listen === "number") return `0.0.0.0:${listen}`;
  if (listen.startsWith("unix:")) return listen;
  const m = /^(.*):([0-9]+)$/.exec(listen);
  if (!m) return listen;
  const [, host, port] = m as unknown as [string, string, string];
  if (host === "*" || host === "0.0.0.0") return `0.0.0.0:${Number(port)}`;
  try {
    return `${new URL(`http://${host}/`).hostname}:${Number(port)}`;
  } catch {
    return `${host.toLowerCase()}:${Number(port)}`;
  }
}

const LABELS = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

/** Why nginx refuses a server_name (or answers no request for it), or undefined when it is valid. */
export function serverNameProblem(name: string): string | undefined {
  if (name === "_" || name === "") return undefined;
  if (name.length > 253) return "is longer than a DNS name can be (253 characters)";
  let core = name;
  if (core.startsWith("*.")) core = core.slice(2);
  else if (core.endsWith(".*")) core = core.slice(0, -2);
  else if (core.startsWith(".")) core = core.slice(1);
  if (core.includes("*"))
    return "a wildcard must be a whole first or last label ('*.example.com', 'www.example.*'); nginx refuses it elsewhere";
  if (!LABELS.test(core)) return "must be a host name (letters, digits, '-' and dots)";
  if (core.split(".").some((l) => l.length > 63)) return "has a label longer than 63 characters";
  return undefined;
}

/** How nginx compares server names: case-insensitively, and `.example.com` covers `example.com` too. */
function nameKeys(name: string): string[] {
  const n = name.toLowerCase();
  return n.startsWith(".") ? [n.slice(1), `*${n}`] : [n];
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const tokenBytes = (s: string) => Buffer.byteLength(s.replace(/["\\]/g, "\\$&")) + 2;

/** Every nginx-level problem in one pass; `add` locates each. */
export function checkNginxRules(data: ProjectData, add: Add): void {
  const checkPort = (value: string | number, path: PathKey[]) => {
    const port = portOf(value);
    if (port !== undefined && (port < 1 || port > 65535))
      add(path, `port ${port} is out of range (1-65535); nginx refuses it`);
  };

  data.upstreams.forEach((u, i) =>
    u.servers.forEach((s, k) => checkPort(s, ["upstreams", i, "servers", k])),
  );

  /** canonical address -> server name -> first server index */
  const names = new Map<string, Map<string, number>>();
  data.servers.forEach((server, s) => {
    checkPort(server.listen, ["servers", s, "listen"]);
    const addr = canonicalListen(server.listen);
    const onAddr = names.get(addr) ?? new Map<string, number>();
    names.set(addr, onAddr);
    const own = new Set<string>();
    server.serverName.forEach((name, k) => {
      const at: PathKey[] = ["servers", s, "serverName", k];
      const why = serverNameProblem(name);
      if (why) {
        add(at, `server name '${name}' ${why}`);
        return;
      }
      for (const key of nameKeys(name)) {
        if (own.has(key)) continue;
        own.add(key);
        const first = onAddr.get(key);
        if (first !== undefined && first !== s)
          add(
            at,
            `servers.${first} already answers '${name}' on ${addr}; nginx would ignore this one ("conflicting server name")`,
          );
        else onAddr.set(key, s);
      }
    });

    server.routes.forEach((route, r) => {
      const at: PathKey[] = ["servers", s, "routes", r];
      if (tokenBytes(route.path) > MAX_NGINX_TOKEN)
        add(
          [...at, "path"],
          `is ${Buffer.byteLength(route.path)} bytes; nginx refuses a location longer than its ${MAX_NGINX_TOKEN}-byte limit ("too long parameter")`,
        );
      const respond = route.respond;
      if (!respond) return;
      if (respond.status < 200)
        add(
          [...at, "respond", "status"],
          `${respond.status} is an informational (1xx) status; a fixed response needs a final status (200-599)`,
        );
      for (const [name, value] of Object.entries(respond.headers)) {
        if (CONTROL_BUT_TAB.test(value))
          add(
            [...at, "respond", "headers", name],
            "must not contain CR, LF or other control bytes (they would end or split the header)",
          );
        if (name.includes("_"))
          add(
            [...at, "respond", "headers", name],
            `nginx's Lua module sends '_' in a header name as '-' ('${name.replace(/_/g, "-")}'); write it that way`,
            true,
          );
      }
    });
  });
}
