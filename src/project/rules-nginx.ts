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

/** How nginx compares server names: case-insensitively, and `.example.com` covers `example.com` too. */
function nameKeys(name: string): string[] {
  const n = name.toLowerCase();
  return n.startsWith(".") ? [n.slice(1), `*${n}`] : [n];
}

const tokenBytes = (s: string) => Buffer.byteLength(s.replace(/["\\]/g, "\\$&")) + 2;

/** Every nginx-level problem in one pass; `add` locates each. */
export function checkNginxRules(data: ProjectData, add: Add): void {
  /** canonical address -> server name -> first server index */
  const names = new Map<string, Map<string, number>>();
  data.servers.forEach((server, s) => {
    const addr = canonicalListen(server.listen);
    const onAddr = names.get(addr) ?? new Map<string, number>();
    names.set(addr, onAddr);
    const own = new Set<string>();
    server.serverName.forEach((name, k) => {
      const at: PathKey[] = ["servers", s, "serverName", k];
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
      for (const name of Object.keys(respond.headers)) {
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

/** Why no request can reach a prefix or exact location, or undefined: nginx matches the decoded, normalised URI. */
export function unreachablePath(path: string): string | undefined {
  if (/%[0-9A-Fa-f]{2}/.test(path))
    return "contains a percent-encoded character, but nginx matches the decoded URI: write the character itself";
  if (/\/\.\.?(\/|$)/.test(path))
    return "contains a dot segment (/. or /..), which nginx removes from every URI before matching";
  if (path.includes("//"))
    return "contains '//', which nginx merges into one slash before matching (merge_slashes)";
  return undefined;
}

/** Warnings (never fatal): routes no request can match. */
export function routeWarnings(data: ProjectData, add: Add): void {
  data.servers.forEach((server, s) =>
    server.routes.forEach((route, r) => {
      if (route.match === "regex") return;
      const why = unreachablePath(route.path);
      if (why)
        add(
          ["servers", s, "routes", r, "path"],
          `no request can match this route: the path ${why}`,
        );
    }),
  );
}
