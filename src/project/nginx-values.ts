// Pure checks of single values nginx would refuse (ports, server names); the schema applies them, with their line.

/** The port of `host:port`, `[v6]:port` or a bare number; undefined for `unix:` paths. */
export function portOf(listen: string | number): number | undefined {
  if (typeof listen === "number") return listen;
  if (listen.startsWith("unix:")) return undefined;
  const m = /:([0-9]+)$/.exec(listen);
  return m ? Number(m[1]) : undefined;
}

/** Why nginx refuses a port in `listen` or an upstream `server`, or undefined. */
export function portProblem(value: string | number): string | undefined {
  const port = portOf(value);
  if (port !== undefined && (port < 1 || port > 65535))
    return `port ${port} is out of range (1-65535); nginx refuses it`;
  return undefined;
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
