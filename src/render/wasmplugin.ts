// WasmPlugin resources for Istio and Higress from a validated project: pure, from project data and image pins to
// objects, and from objects to YAML that kubectl (YAML 1.1) reads back with the same types.
import { Document } from "yaml";
import type { PathKey } from "../project/locate.js";
import type { PluginData, ProjectData } from "../project/schema.js";

/** The two gateways that read WasmPlugin resources. */
export type WasmPluginTarget = "istio" | "higress";

/** A problem in the project that keeps a resource from being rendered, at its key path. */
export interface RenderProblem {
  path: PathKey[];
  message: string;
  atKey?: boolean;
}

/** A Kubernetes object as a plain JSON-able value. */
export type Resource = Record<string, unknown>;

export const API_VERSION: Record<WasmPluginTarget, string> = {
  istio: "extensions.istio.io/v1alpha1",
  higress: "extensions.higress.io/v1alpha1",
};

const PHASE = { authn: "AUTHN", authz: "AUTHZ", stats: "STATS" } as const;

/**
 * One WasmPlugin per project plugin. `pins` holds the digests `orwasm lock` recorded for image tags. Every plugin
 * needs an image pinned to a manifest digest: for an oci:// url, Istio compares `sha256` with the image manifest's
 * digest (not plugin.wasm's), so `sha256` is that digest's hex and the url keeps its oci:// scheme.
 */
export function wasmPluginResources(
  data: ProjectData,
  target: WasmPluginTarget,
  pins: ReadonlyMap<string, string>,
): { resources: Resource[]; problems: RenderProblem[] } {
  const problems: RenderProblem[] = [];
  const resources: Resource[] = [];
  const deploy = target === "istio" ? data.deployment?.istio : data.deployment?.higress;
  const names = new Map<string, number>();
  data.plugins.forEach((p, i) => {
    const at = (...rest: PathKey[]) => ["plugins", i, ...rest];
    const name = k8sName(p.name);
    const first = names.get(name);
    if (first !== undefined) {
      problems.push({
        path: at("name"),
        message: `becomes the resource name '${name}', as plugins.${first} does; rename one`,
      });
      return;
    }
    names.set(name, i);
    const image = imageOf(p, pins);
    if ("problem" in image) {
      problems.push({ path: at(p.image ? "image" : "name"), message: image.problem });
      return;
    }
    const config = objectConfig(p.config, target);
    if (typeof config === "string") {
      problems.push({ path: p.config === undefined ? at("name") : at("config"), message: config });
      return;
    }
    const spec: Resource = {};
    if (target === "istio" && data.deployment?.istio) {
      const istio = data.deployment.istio;
      if (istio.selector) spec.selector = { matchLabels: istio.selector.matchLabels };
      if (istio.targetRefs)
        spec.targetRefs = istio.targetRefs.map((t) => ({
          group: t.group,
          kind: t.kind,
          name: t.name,
          ...(t.namespace ? { namespace: t.namespace } : {}),
        }));
    }
    spec.url = image.url;
    spec.sha256 = image.digest.slice("sha256:".length);
    if (deploy?.imagePullPolicy) spec.imagePullPolicy = deploy.imagePullPolicy;
    if (deploy?.imagePullSecret) spec.imagePullSecret = deploy.imagePullSecret;
    spec.pluginName = p.rootId ?? p.name;
    spec[target === "istio" ? "pluginConfig" : "defaultConfig"] = config;
    if (target === "higress") {
      const rules = higressMatchRules(data, p.name, problems);
      if (rules.length) spec.matchRules = rules;
    }
    spec.failStrategy = p.failure.policy === "closed" ? "FAIL_CLOSE" : "FAIL_OPEN";
    spec.priority = p.priority;
    if (p.phase) spec.phase = PHASE[p.phase];
    resources.push({
      apiVersion: API_VERSION[target],
      kind: "WasmPlugin",
      metadata: {
        name,
        ...(deploy?.namespace ? { namespace: deploy.namespace } : {}),
        labels: {
          "app.kubernetes.io/managed-by": "orwasm",
          ...(data.name.length <= 63 ? { "app.kubernetes.io/part-of": data.name } : {}),
        },
      },
      spec,
    });
  });
  return { resources, problems };
}

/** `add_header` → `add-header`: a plugin name as a DNS-1123 resource name. */
export function k8sName(name: string): string {
  return name.toLowerCase().replace(/_/g, "-").replace(/-+$/, "");
}

function imageOf(
  p: PluginData,
  pins: ReadonlyMap<string, string>,
): { url: string; digest: string } | { problem: string } {
  if (!p.image)
    return {
      problem: `plugin ${p.name} has no image: a WasmPlugin pulls the plugin from a registry. Push it (orwasm plugin push ${p.name} oci://REGISTRY/REPO:TAG) and set plugins[].image`,
    };
  const at = p.image.indexOf("@");
  if (at >= 0) {
    const base = p.image.slice(0, at);
    const digest = p.image.slice(at + 1);
    // With a tag, the gateway pulls the tag and checks it against sha256; without one, it pulls the digest.
    return { url: hasTag(base) ? base : p.image, digest };
  }
  const pin = pins.get(p.image);
  if (!pin)
    return {
      problem: `the tag ${p.image} is not pinned to a digest; run \`orwasm lock --images-only\` or write ${p.image}@sha256:<manifest digest>`,
    };
  return { url: p.image, digest: pin };
}

/** Whether `oci://host[:port]/repo[:tag]` has a tag (a colon after the last slash). */
function hasTag(base: string): boolean {
  const path = base.slice("oci://".length);
  return path.slice(path.indexOf("/")).includes(":");
}

/** The config as the object both CRDs require; a string must be a JSON object. Returns the reason otherwise. */
function objectConfig(config: unknown, target: WasmPluginTarget): Record<string, unknown> | string {
  const key = target === "istio" ? "pluginConfig" : "defaultConfig";
  if (config === undefined) return {};
  if (Array.isArray(config))
    return `${target === "istio" ? "Istio" : "Higress"}'s ${key} is an object: a list cannot be passed; wrap it in an object`;
  if (typeof config === "object" && config !== null) return config as Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(
      typeof config === "string" ? config : JSON.stringify(config),
    );
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return `is a string that is not a JSON object, and ${target === "istio" ? "Istio" : "Higress"}'s ${key} is an object (the gateway passes it to the plugin as JSON); give the config as an object`;
}

/** One matchRule per route that gives this plugin its own config, on the Ingress deployment.higress.ingress names. */
function higressMatchRules(
  data: ProjectData,
  plugin: string,
  problems: RenderProblem[],
): Resource[] {
  const rules: Resource[] = [];
  const byIngress = new Map<string, string>();
  data.servers.forEach((server, s) =>
    server.routes.forEach((route, r) =>
      route.plugins.forEach((rp, k) => {
        if (typeof rp === "string" || rp.name !== plugin || rp.config === undefined) return;
        const path = ["servers", s, "routes", r, "plugins", k, "config"];
        const ingress = data.deployment?.higress?.ingress[route.path];
        if (!ingress) {
          problems.push({
            path,
            message: `this route's own config becomes a Higress matchRule, which names the route's Ingress: add deployment.higress.ingress: { "${route.path}": NAMESPACE/NAME }`,
          });
          return;
        }
        const other = byIngress.get(ingress);
        if (other !== undefined) {
          problems.push({
            path,
            message: `the Ingress ${ingress} already gets a config for ${plugin} from ${other}; Higress applies one config per Ingress`,
          });
          return;
        }
        byIngress.set(ingress, `servers.${s}.routes.${r}`);
        const config = objectConfig(rp.config, "higress");
        if (typeof config === "string") {
          problems.push({ path, message: config.replace("defaultConfig", "matchRules[].config") });
          return;
        }
        rules.push({ ingress: [ingress], config });
      }),
    ),
  );
  return rules;
}

/**
 * Multi-document YAML, written as YAML 1.1 so that every string a YAML 1.1 reader (kubectl) would take for something
 * else (an all-digit hash, `on`, `yes`, `1e5`, `1:20`) is quoted.
 */
export function renderWasmPluginYaml(resources: Resource[], header: string): string {
  const docs = resources.map((r) =>
    new Document(r, { version: "1.1" }).toString({ lineWidth: 0, directives: false }),
  );
  return `${header
    .split("\n")
    .map((l) => `# ${l}`)
    .join("\n")}\n${docs.map((d) => `---\n${d}`).join("")}`;
}
