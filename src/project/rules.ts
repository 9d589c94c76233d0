// Cross-reference rules the schema cannot express: names that must be unique or must exist, paths nginx would reject.
import type { Problem } from "../errors.js";
import type { PathKey } from "./locate.js";
import { dotted } from "./locate.js";
import { pcreToJs } from "./pcre.js";
import { checkNginxRules } from "./rules-nginx.js";
import type { ProjectData } from "./schema.js";
import { checkKubernetesRules } from "./rules-kubernetes.js";

type Where = (path: readonly PathKey[], atKey?: boolean) => { line: number; col: number };

/** Pure: every rule violation in one pass, each located in the file. */
export function checkRules(data: ProjectData, file: string, where: Where): Problem[] {
  const out: Problem[] = [];
  const add = (path: PathKey[], message: string, atKey = false) =>
    out.push({ file, ...where(path, atKey), path: dotted(path), message });

  const pluginNames = new Map<string, number>();
  data.plugins.forEach((p, i) => {
    const first = pluginNames.get(p.name);
    if (first !== undefined)
      add(
        ["plugins", i, "name"],
        `duplicate plugin name '${p.name}' (first declared at plugins.${first})`,
      );
    else pluginNames.set(p.name, i);
    const sources = (["file", "build", "image"] as const).filter((k) => p[k] !== undefined);
    if (sources.length === 0)
      add(
        ["plugins", i],
        "needs `file` (a built .wasm), `build` (a source folder) or `image` (an oci:// image)",
      );
    if (sources.length > 1)
      add(
        ["plugins", i, sources[1]!],
        `give one of \`file\`, \`build\` or \`image\`, not ${sources.map((k) => `\`${k}\``).join(" and ")}`,
      );
    checkConfig(p.config, ["plugins", i, "config"], add);
  });

  const upstreamNames = new Map<string, number>();
  data.upstreams.forEach((u, i) => {
    const first = upstreamNames.get(u.name);
    if (first !== undefined)
      add(
        ["upstreams", i, "name"],
        `duplicate upstream name '${u.name}' (first declared at upstreams.${first})`,
      );
    else upstreamNames.set(u.name, i);
  });
  checkClusters(data, add);

  checkNginxRules(data, add);
  data.servers.forEach((server, s) => {
    const locations = new Map<string, number>();
    server.routes.forEach((route, r) => {
      const at = ["servers", s, "routes", r];
      const loc = `${route.match}|${route.path}`;
      const firstLoc = locations.get(loc);
      if (firstLoc !== undefined)
        add(
          [...at, "path"],
          `duplicate location: routes.${firstLoc} already matches ${route.match} '${route.path}'`,
        );
      else locations.set(loc, r);
      checkPath(route.path, route.match, [...at, "path"], add);

      if (route.upstream && route.respond)
        add([...at, "respond"], "give either `upstream` or `respond`, not both");
      if (!route.upstream && !route.respond)
        add(at, "needs `upstream` (proxy to an upstream) or `respond` (a fixed response)");
      if (route.upstream && !upstreamNames.has(route.upstream)) {
        add(
          [...at, "upstream"],
          `unknown upstream '${route.upstream}'${suggest(route.upstream, [...upstreamNames.keys()])}`,
        );
      }
      const onRoute = new Set<string>();
      route.plugins.forEach((rp, k) => {
        const name = typeof rp === "string" ? rp : rp.name;
        const path = [...at, "plugins", k];
        if (!pluginNames.has(name))
          add(path, `unknown plugin '${name}'${suggest(name, [...pluginNames.keys()])}`);
        if (onRoute.has(name)) add(path, `plugin '${name}' is listed twice on this route`);
        onRoute.add(name);
        if (typeof rp !== "string") checkConfig(rp.config, [...path, "config"], add);
      });
    });
  });

  data.tests.forEach((t, i) => {
    t.plugins.forEach((tp, k) => {
      const name = typeof tp === "string" ? tp : tp.name;
      if (!pluginNames.has(name))
        add(
          ["tests", i, "plugins", k],
          `unknown plugin '${name}'${suggest(name, [...pluginNames.keys()])}`,
        );
      if (typeof tp !== "string") checkConfig(tp.config, ["tests", i, "plugins", k, "config"], add);
    });
    t.expect.logs.forEach((l, k) =>
      checkRegex(l.matches, ["tests", i, "expect", "logs", k, "matches"], add),
    );
  });

  data.smoke.forEach((check, i) => {
    if (check.request.server >= data.servers.length) {
      add(
        ["smoke", i, "request", "server"],
        `there is no servers.${check.request.server} (the project has ${data.servers.length})`,
      );
    }
    for (const [name, exp] of Object.entries(check.expect.headers)) {
      if (typeof exp === "object" && "matches" in exp)
        checkRegex(exp.matches, ["smoke", i, "expect", "headers", name, "matches"], add);
    }
    const body = check.expect.body;
    if (body && typeof body === "object" && "matches" in body)
      checkRegex(body.matches, ["smoke", i, "expect", "body", "matches"], add);
  });
  checkDeployment(data, add);
  out.push(...checkKubernetesRules(data, file, where));
  return out;
}

/** The deployment section against the rest: one way to target Istio workloads, Higress ingresses for real routes. */
function checkDeployment(data: ProjectData, add: Add): void {
  const istio = data.deployment?.istio;
  if (istio?.selector && istio.targetRefs)
    add(
      ["deployment", "istio", "targetRefs"],
      "give either `selector` or `targetRefs`, not both (Istio refuses a WasmPlugin with both)",
    );
  const higress = data.deployment?.higress;
  if (higress) {
    const paths = new Set(data.servers.flatMap((s) => s.routes.map((r) => r.path)));
    for (const path of Object.keys(higress.ingress)) {
      if (!paths.has(path))
        add(
          ["deployment", "higress", "ingress", path],
          `no route has the path '${path}'${suggest(path, [...paths])}`,
          true,
        );
    }
  }
}

type Add = (path: PathKey[], message: string, atKey?: boolean) => void;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkConfig(config: unknown, path: PathKey[], add: Add): void {
  if (config === "") {
    add(
      path,
      "must not be empty: wasm-nginx-module's on_configure rejects an empty string (leave `config` out to pass '{}')",
    );
  } else if (typeof config === "string" && LONE_SURROGATE.test(config)) {
    add(path, "contains a lone UTF-16 surrogate, which has no UTF-8 form");
  }
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;

function checkPath(path: string, match: string, at: PathKey[], add: Add): void {
  if (CONTROL_CHAR.test(path)) {
    add(at, "must not contain control characters (nginx cannot express them in a location)");
    return;
  }
  if (match === "regex") {
    const r = pcreToJs(path);
    if ("error" in r) add(at, `a regex location (PCRE, as nginx reads it) ${r.error}`);
    return;
  }
  // White space is fine: the location is quoted, and nginx matches the decoded URI ("/a%20b" is "/a b").
  if (!path.startsWith("/")) add(at, `a ${match} location must start with '/'`);
}

function checkRegex(source: string, at: PathKey[], add: Add): void {
  try {
    new RegExp(source);
  } catch (err) {
    add(at, `is not a valid regular expression: ${(err as Error).message}`);
  }
}

function suggest(name: string, known: string[]): string {
  if (known.length === 0) return " (none are declared)";
  const close = known.find((k) => distance(k, name) <= 2);
  return close ? ` (did you mean '${close}'?)` : ` (declared: ${known.join(", ")})`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

/** Cluster names (higress profile) must each mean one upstream; a Redis upstream is no HTTP target or mock. */
function checkClusters(
  data: ProjectData,
  add: (path: PathKey[], message: string, atKey?: boolean) => void,
): void {
  const owner = new Map<string, string>();
  data.upstreams.forEach((u) => owner.set(u.name, u.name));
  data.upstreams.forEach((u, i) => {
    if (u.protocol === "redis" && u.mock)
      add(
        ["upstreams", i, "mock"],
        "a Redis upstream (protocol: redis) cannot be mocked by orwasm's echo",
      );
    u.clusters.forEach((c, j) => {
      const first = owner.get(c);
      if (first !== undefined && first !== u.name)
        add(["upstreams", i, "clusters", j], `cluster name '${c}' already means upstream ${first}`);
      else owner.set(c, u.name);
    });
  });
  const redis = new Set(data.upstreams.filter((u) => u.protocol === "redis").map((u) => u.name));
  data.servers.forEach((server, s) =>
    server.routes.forEach((route, r) => {
      if (route.upstream && redis.has(route.upstream))
        add(
          ["servers", s, "routes", r, "upstream"],
          `upstream '${route.upstream}' is a Redis server (protocol: redis); a route proxies HTTP`,
        );
    }),
  );
}
