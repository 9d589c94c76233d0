// Pure: what a kubelet would run for the rendered Deployment's first container, as a container engine's terms
// (user, read-only root, capabilities, files from the ConfigMap, emptyDirs, env, command, ports, probes).
// Tests run it with Docker to prove the manifests, so it is derived from the manifest text, never restated.
import { parseDocument } from "yaml";

/** A file a ConfigMap volume puts into the pod, read-only. */
export interface PodFile {
  path: string;
  content: string;
}

/** One HTTP probe: path and container port. */
export interface PodProbe {
  path: string;
  port: number;
  periodSeconds: number;
}

/** The container as a kubelet would start it. */
export interface PodRun {
  image: string;
  /** `command` + `args` (the image's entrypoint and CMD are replaced when `command` is set). */
  argv: string[];
  /** `uid:gid` from runAsUser/runAsGroup (container context over pod context). */
  user: string;
  readOnlyRootFilesystem: boolean;
  noNewPrivileges: boolean;
  capDrop: string[];
  /** emptyDir mount paths: each a fresh writable directory (mode 0777, as the kubelet makes them). */
  emptyDirs: string[];
  files: PodFile[];
  env: Record<string, string>;
  /** Container ports by name. */
  ports: Record<string, number>;
  readiness?: PodProbe;
  liveness?: PodProbe;
  /** The preStop exec command, and how long the kubelet waits before killing. */
  preStop?: string[];
  terminationGracePeriodSeconds: number;
}

interface Container {
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: SecurityContext & {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
}
interface Probe {
  httpGet?: { path: string; port: number | string };
  periodSeconds?: number;
}
interface Volume {
  name: string;
  emptyDir?: object;
  configMap?: { name: string; items?: { key: string; path: string }[] };
}

/** Derives the run of `deployment.yaml`'s first container, with the ConfigMaps it mounts (from `manifests`). */
export function podRun(manifests: Record<string, string>): PodRun {
  const docs = Object.values(manifests).map(
    (t) => parseDocument(t).toJS() as Record<string, unknown>,
  );
  const deployment = docs.find((d) => d.kind === "Deployment") as
    { spec: { template: { spec: PodSpec } } } | undefined;
  if (!deployment) throw new Error("no Deployment among the manifests");
  const configMaps = new Map(
    docs
      .filter((d) => d.kind === "ConfigMap")
      .map((d) => [
        (d.metadata as { name: string }).name,
        (d.data ?? {}) as Record<string, string>,
      ]),
  );
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  if (!c) throw new Error("the Deployment has no container");
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  const emptyDirs: string[] = [];
  const files: PodFile[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) throw new Error(`volumeMount ${m.name} names no volume`);
    if (v.emptyDir) emptyDirs.push(m.mountPath);
    else if (v.configMap) {
      const data = configMaps.get(v.configMap.name);
      if (!data) throw new Error(`ConfigMap ${v.configMap.name} is not among the manifests`);
      const items = v.configMap.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const it of items) {
        if (m.subPath && m.subPath !== it.path) continue;
        const path = m.subPath ? m.mountPath : `${m.mountPath}/${it.path}`;
        files.push({ path, content: data[it.key] ?? "" });
      }
    } else throw new Error(`volume ${m.name}: only emptyDir and configMap volumes are derived`);
  }
  const ports = Object.fromEntries(
    (c.ports ?? []).map((p) => [p.name ?? String(p.containerPort), p.containerPort]),
  );
  const probe = (p: Probe | undefined): PodProbe | undefined => {
    if (!p?.httpGet) return undefined;
    const port = typeof p.httpGet.port === "number" ? p.httpGet.port : ports[p.httpGet.port];
    if (port === undefined) throw new Error(`probe port ${p.httpGet.port} names no container port`);
    return { path: p.httpGet.path, port, periodSeconds: p.periodSeconds ?? 10 };
  };
  const sc = { ...pod.securityContext, ...c.securityContext };
  if (sc.runAsUser === undefined)
    throw new Error("no runAsUser: the run would use the image's user");
  return {
    image: c.image,
    argv: [...(c.command ?? []), ...(c.args ?? [])],
    user: `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}`,
    readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem === true,
    noNewPrivileges: c.securityContext?.allowPrivilegeEscalation === false,
    capDrop: c.securityContext?.capabilities?.drop ?? [],
    emptyDirs,
    files,
    env: Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? ""])),
    ports,
    readiness: probe(c.readinessProbe),
    liveness: probe(c.livenessProbe),
    preStop: c.lifecycle?.preStop?.exec?.command,
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
  };
}

interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
}
