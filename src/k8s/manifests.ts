// Pure: a validated project, its engine layout and an image digest to the Kubernetes manifests `orwasm k8s` writes.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { stringify } from "yaml";
import { ConfigError, type Problem } from "../errors.js";
import type { Project } from "../project/project.js";
import {
  kubernetesDeploymentSchema,
  type KubernetesDeployment,
} from "../project/schema-deployment.js";
import { containerProjectYaml } from "../embedded-engine/container-project.js";
import { renderNginxConf } from "../render/nginx-conf.js";
import type { EngineTarget } from "../render/target.js";
import { RUNTIME_USER } from "../engine/dockerfile.js";
import { listenPorts } from "../engine/image.js";

/** Where the ConfigMap's keys appear in the pod, one file per key (read-only). */
export const CONF_MOUNT = "/etc/orwasm";

/** The health listener's paths (see templates/nginx.conf.hbs). */
export const READY_PATH = "/orwasm/ready";
export const LIVE_PATH = "/orwasm/live";

/** An image reference pinned by digest: `name[:tag]@sha256:<64 hex>`. */
const DIGEST_REF = /^[a-z0-9]+([._/:-][a-z0-9]+)*(:[\w][\w.-]{0,127})?@sha256:[a-f0-9]{64}$/;

/** What the manifests are rendered from. */
export interface ManifestInput {
  project: Project;
  target: EngineTarget;
  /** The gateway image, by digest. */
  image: string;
  /** nginx binary in the image; `nginx` (on PATH) for orwasm's own engine. */
  nginxBin?: string;
  /** How the header comment names the project file. */
  projectLabel: string;
}

/** File name → YAML text, in the order kustomization.yaml lists them. */
export type Manifests = Record<string, string>;

/** True when `ref` names an image by digest. */
export function isDigestRef(ref: string): boolean {
  return DIGEST_REF.test(ref);
}

/** The project's Kubernetes settings, defaults filled in when it has no `deployment.kubernetes`. */
export function kubernetesSettings(project: Project): KubernetesDeployment {
  return project.data.deployment?.kubernetes ?? kubernetesDeploymentSchema.parse({});
}

/** The project with its Kubernetes section made explicit, so nginx.conf and orwasm.yaml carry the health listener. */
export function withKubernetes(project: Project): Project {
  return {
    ...project,
    data: {
      ...project.data,
      deployment: { ...project.data.deployment, kubernetes: kubernetesSettings(project) },
    },
  };
}

/** The objects' name: `deployment.kubernetes.name`, or the project name as a DNS label. */
export function objectName(project: Project): string {
  return kubernetesSettings(project).name ?? project.data.name.toLowerCase().replace(/_/g, "-");
}

/** Every manifest, as YAML. Throws ConfigError for what Kubernetes or a non-root pod would refuse. */
export function renderManifests(input: ManifestInput): Manifests {
  const project = withKubernetes(input.project);
  const k = kubernetesSettings(project);
  const name = objectName(project);
  const problems: Problem[] = [];
  const at = (path: string, message: string) =>
    problems.push({ file: project.file, line: 1, col: 1, path, message });
  if (!/^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$/.test(name))
    at(
      "deployment.kubernetes.name",
      `'${name}' is not a DNS label of at most 53 characters; set deployment.kubernetes.name`,
    );
  const ports = listenPorts(project);
  project.data.servers.forEach((s, i) => {
    const port = typeof s.listen === "number" ? s.listen : Number(/:(\d+)$/.exec(s.listen)?.[1]);
    if (port < 1024)
      at(
        `servers.${i}.listen`,
        `port ${port} needs root or NET_BIND_SERVICE; the pod runs non-root with every capability dropped: listen on 1024 or above`,
      );
    if (port === k.health.port)
      at(
        "deployment.kubernetes.health.port",
        `port ${port} is servers.${i}.listen; the health listener needs a port of its own`,
      );
    if (typeof s.listen === "string" && s.listen.startsWith("unix:"))
      at(`servers.${i}.listen`, "a unix socket cannot be a Service port");
  });
  if (!isDigestRef(input.image))
    throw new ConfigError([
      {
        file: "--image",
        line: 1,
        col: 1,
        path: "image",
        message: `'${input.image}' is not pinned by digest: give REPOSITORY@sha256:<64 hex> (docker push prints it; \`docker inspect --format '{{index .RepoDigests 0}}' IMAGE\` shows it)`,
      },
    ]);
  if (problems.length) throw new ConfigError(problems);

  const nginxConf = renderNginxConf(project, input.target);
  const orwasmYaml = containerProjectYaml(project);
  // The API server refuses a ConfigMap over 1 MiB (the object, so keep a margin for metadata).
  const confBytes = Buffer.byteLength(nginxConf) + Buffer.byteLength(orwasmYaml);
  if (confBytes > 1_000_000)
    throw new ConfigError([
      {
        file: project.file,
        line: 1,
        col: 1,
        path: "servers",
        message: `nginx.conf and orwasm.yaml take ${confBytes} bytes; a ConfigMap holds at most 1 MiB: split the gateway or shorten plugin configs`,
      },
    ]);
  const confHash = createHash("sha256")
    .update(nginxConf)
    .update("\0")
    .update(orwasmYaml)
    .digest("hex")
    .slice(0, 10);
  const selector = { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
  const labels = {
    ...k.labels,
    ...selector,
    "app.kubernetes.io/managed-by": "orwasm",
    "app.kubernetes.io/component": "gateway",
  };
  const meta = (suffix = "") => ({ name: `${name}${suffix}`, labels });
  const configMapName = `${name}-conf-${confHash}`;
  const header = `# Rendered by \`orwasm k8s\` from ${input.projectLabel.replace(/[\r\n]+/g, " ")}. Do not edit: change the project and render again.\n`;
  const yaml = (obj: unknown) =>
    header + stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false });

  const writable = writableVolumes(project, input.target);
  // An emptyDir over the plugins or the conf would hide them: a log file needs a folder of its own.
  for (const w of writable)
    for (const [what, path] of [
      ["the plugins", input.target.pluginDir],
      ["the ConfigMap", CONF_MOUNT],
    ] as const)
      if (w.mountPath === path || isInside(path, w.mountPath))
        throw new ConfigError([
          {
            file: project.file,
            line: 1,
            col: 1,
            path: "gateway.accessLog",
            message: `nginx writes in ${w.mountPath}, which holds ${what} (${path}); on a read-only root it would be an emptyDir hiding them: log to /dev/stdout or a folder of its own`,
          },
        ]);

  const grace = k.drain.preStopSeconds + k.drain.longestRequestSeconds + 5;
  const probe = (path: string, failureThreshold: number) => ({
    httpGet: { path, port: "health" },
    periodSeconds: k.probes.periodSeconds,
    timeoutSeconds: k.probes.timeoutSeconds,
    failureThreshold,
  });
  const resources = {
    requests: compact(k.resources.requests),
    limits: compact(k.resources.limits),
  };
  const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
    maxSkew: k.topologySpread.maxSkew,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: { matchLabels: selector },
  });

  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(),
    spec: {
      // With an autoscaler the HPA owns the replica count; writing it here would reset it on every apply.
      ...(k.autoscaling.enabled ? {} : { replicas: k.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      // maxUnavailable 0: a new pod must be ready (every plugin loaded) before an old one goes, so a bad rollout stops at the first pod.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: grace,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUNTIME_USER.uid,
            runAsGroup: RUNTIME_USER.uid,
            seccompProfile: { type: "RuntimeDefault" },
          },
          topologySpreadConstraints: [
            spread("topology.kubernetes.io/zone", k.topologySpread.zone),
            spread("kubernetes.io/hostname", k.topologySpread.node),
          ],
          containers: [
            {
              name: "gateway",
              image: input.image,
              imagePullPolicy: "IfNotPresent",
              command: [input.nginxBin ?? "nginx"],
              args: [
                "-p",
                input.target.prefix,
                "-c",
                `${CONF_MOUNT}/nginx.conf`,
                "-g",
                "daemon off;",
              ],
              ...(Object.keys(k.env).length
                ? { env: Object.entries(k.env).map(([n, value]) => ({ name: n, value })) }
                : {}),
              ports: [
                ...ports.map((p) => ({
                  name: portName(p, ports),
                  containerPort: p,
                  protocol: "TCP",
                })),
                { name: "health", containerPort: k.health.port, protocol: "TCP" },
              ],
              readinessProbe: probe(READY_PATH, k.probes.readinessFailureThreshold),
              livenessProbe: probe(LIVE_PATH, k.probes.livenessFailureThreshold),
              // The image's STOPSIGNAL is SIGQUIT (nginx drains); the sleep lets endpoints stop routing here first.
              ...(k.drain.preStopSeconds > 0
                ? {
                    lifecycle: {
                      preStop: { exec: { command: ["sleep", String(k.drain.preStopSeconds)] } },
                    },
                  }
                : {}),
              resources,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                privileged: false,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [
                { name: "conf", mountPath: CONF_MOUNT, readOnly: true },
                ...writable.map((w) => ({ name: w.name, mountPath: w.mountPath })),
              ],
            },
          ],
          volumes: [
            { name: "conf", configMap: { name: configMapName } },
            ...writable.map((w) => ({ name: w.name, emptyDir: { sizeLimit: "64Mi" } })),
          ],
        },
      },
    },
  };

  const files: Manifests = {
    "configmap.yaml": yaml({
      apiVersion: "v1",
      kind: "ConfigMap",
      // The name carries the content's hash, so a config or plugin-config change rolls the pods.
      metadata: { name: configMapName, labels },
      data: { "nginx.conf": nginxConf, "orwasm.yaml": orwasmYaml },
    }),
    "deployment.yaml": yaml(deployment),
    "service.yaml": yaml({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(),
      spec: {
        type: k.service.type,
        selector,
        ports: ports.map((p) => ({
          name: portName(p, ports),
          port: p,
          targetPort: portName(p, ports),
          protocol: "TCP",
        })),
      },
    }),
    "pdb.yaml": yaml({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(),
      spec: { maxUnavailable: k.disruption.maxUnavailable, selector: { matchLabels: selector } },
    }),
  };
  if (k.autoscaling.enabled)
    files["hpa.yaml"] = yaml({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: meta(),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
        minReplicas: k.autoscaling.minReplicas,
        maxReplicas: k.autoscaling.maxReplicas,
        metrics: [
          {
            type: "Resource",
            resource: {
              name: "cpu",
              target: {
                type: "Utilization",
                averageUtilization: k.autoscaling.targetCPUUtilization,
              },
            },
          },
        ],
      },
    });
  files["kustomization.yaml"] = yaml({
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    ...(k.namespace ? { namespace: k.namespace } : {}),
    resources: Object.keys(files),
  });
  return files;
}

/** Service/container port names: `http` for a single port, `http-PORT` otherwise (at most 15 characters). */
function portName(port: number, all: number[]): string {
  return all.length === 1 ? "http" : `http-${port}`;
}

function compact(list: { cpu?: string; memory?: string }): Record<string, string> {
  return Object.fromEntries(Object.entries(list).filter(([, v]) => v !== undefined));
}

/**
 * Where nginx writes at run time (the root file system is read-only, so each gets an emptyDir): /tmp (the pid file,
 * and what `orwasm reload` stages), the engine's compiled-in temp paths and startup error log folder (probed with
 * `nginx -V`, or orwasm's own build), and the folder of a log file the conf names. A folder inside another is
 * covered by it.
 */
export function writableVolumes(
  project: Project,
  target: EngineTarget,
): { name: string; mountPath: string }[] {
  const logs = [target.errorLog, accessLogPath(project, target)]
    .filter((p): p is string => !!p && p.startsWith("/") && !p.startsWith("/dev/"))
    .map((p, i) => ({ name: i === 0 ? "error-log-file" : "access-log", path: posix.dirname(p) }));
  const all = [
    { name: "tmp", path: "/tmp" },
    { name: "pid", path: posix.dirname(target.pidFile) },
    ...target.writableDirs.map((d) => ({ name: `nginx-${d.name}`, path: d.path })),
    ...logs,
  ];
  // Dropped: a folder another one holds, or the same folder named again.
  const kept = all.filter(
    (v, i) => !all.some((w, j) => (w.path === v.path ? j < i : isInside(v.path, w.path))),
  );
  return kept.map((v) => ({ name: v.name, mountPath: v.path }));
}

/** True when `path` lies strictly inside folder `dir`. */
function isInside(path: string, dir: string): boolean {
  return path !== dir && path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}

/** The access log file the rendered conf writes, if any (`gateway.accessLog` over the engine's default). */
function accessLogPath(project: Project, target: EngineTarget): string | undefined {
  const log = project.data.gateway.accessLog;
  if (log === "off") return undefined;
  if (typeof log === "string") return log;
  return log?.path ?? target.accessLog;
}
