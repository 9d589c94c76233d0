// The `deployment:` section: where the project's gateway and plugins are deployed beyond one container.
import { z } from "zod";

/** Kubernetes quantity syntax: `250m`, `1`, `128Mi`, `1Gi`. */
const quantitySchema = z
  .string()
  .regex(
    /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/,
    "must be a Kubernetes quantity such as 250m or 128Mi",
  );

/** A DNS-1123 label: Kubernetes object names and namespaces. */
const dnsLabelSchema = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS label: lower-case letters, digits and '-', at most 63",
  );

/** Label keys and values as Kubernetes accepts them (prefix/name; value up to 63 characters). */
const labelsSchema = z.record(
  z
    .string()
    .regex(
      /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
      "must be a Kubernetes label key",
    ),
  z
    .string()
    .regex(
      /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
      "must be a Kubernetes label value",
    ),
);

const resourceListSchema = z.strictObject({
  cpu: quantitySchema.optional().describe("CPU, e.g. 250m"),
  memory: quantitySchema.optional().describe("memory, e.g. 128Mi"),
});

/** Kubernetes workload settings for `orwasm k8s` (replicas, resources, autoscaling, spread). */
export const kubernetesDeploymentSchema = z.strictObject({
  name: dnsLabelSchema
    .optional()
    .describe(
      "name of every object (Deployment, Service, ...); default: the project name with _ as -",
    ),
  namespace: dnsLabelSchema
    .optional()
    .describe(
      "namespace written into kustomization.yaml; default: none (kubectl's current namespace)",
    ),
  labels: labelsSchema
    .default({})
    .describe(
      "extra labels on every object and pod (app.kubernetes.io/name and instance are always set)",
    ),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"),
      z.string(),
    )
    .default({})
    .describe("environment variables of the gateway container"),
  replicas: z
    .int()
    .min(1)
    .default(2)
    .describe("replicas when autoscaling is off; two, so one pod can drain while the other serves"),
  resources: z
    .strictObject({
      requests: resourceListSchema.default({ cpu: "250m", memory: "128Mi" }),
      limits: resourceListSchema
        .default({ memory: "256Mi" })
        .describe("no CPU limit by default: throttling a proxy adds latency to every request"),
    })
    .default({ requests: { cpu: "250m", memory: "128Mi" }, limits: { memory: "256Mi" } })
    .describe("the gateway container's resources"),
  autoscaling: z
    .strictObject({
      enabled: z.boolean().default(true).describe("render a HorizontalPodAutoscaler"),
      minReplicas: z.int().min(1).default(2),
      maxReplicas: z.int().min(1).default(10),
      targetCPUUtilization: z
        .int()
        .min(1)
        .max(100)
        .default(70)
        .describe("average CPU utilisation (percent of requests.cpu) the HPA aims at"),
    })
    .default({ enabled: true, minReplicas: 2, maxReplicas: 10, targetCPUUtilization: 70 })
    .describe("HorizontalPodAutoscaler on CPU"),
  disruption: z
    .strictObject({
      maxUnavailable: z
        .int()
        .min(0)
        .default(1)
        .describe("PodDisruptionBudget: pods a voluntary disruption (node drain) may take at once"),
    })
    .default({ maxUnavailable: 1 }),
  topologySpread: z
    .strictObject({
      zone: z
        .enum(["ScheduleAnyway", "DoNotSchedule"])
        .default("ScheduleAnyway")
        .describe(
          "spread over topology.kubernetes.io/zone: preferred (ScheduleAnyway) or required",
        ),
      node: z
        .enum(["ScheduleAnyway", "DoNotSchedule"])
        .default("ScheduleAnyway")
        .describe("spread over kubernetes.io/hostname"),
      maxSkew: z.int().min(1).default(1),
    })
    .default({ zone: "ScheduleAnyway", node: "ScheduleAnyway", maxSkew: 1 })
    .describe("topologySpreadConstraints, so one zone or node going down does not take every pod"),
  service: z
    .strictObject({
      type: z.enum(["ClusterIP", "NodePort", "LoadBalancer"]).default("ClusterIP"),
    })
    .default({ type: "ClusterIP" }),
  health: z
    .strictObject({
      port: z
        .int()
        .min(1)
        .max(65535)
        .default(8099)
        .describe("a listener of its own for the probes, so no route can shadow them"),
    })
    .default({ port: 8099 })
    .describe(
      "orwasm's health listener: /orwasm/ready answers 200 only when every plugin loaded and configured in every worker (503 and the reasons otherwise), /orwasm/live answers 200 while a worker serves",
    ),
  probes: z
    .strictObject({
      periodSeconds: z.int().min(1).default(5),
      readinessFailureThreshold: z.int().min(1).default(2),
      livenessFailureThreshold: z.int().min(1).default(3),
      timeoutSeconds: z.int().min(1).default(2),
    })
    .default({
      periodSeconds: 5,
      readinessFailureThreshold: 2,
      livenessFailureThreshold: 3,
      timeoutSeconds: 2,
    })
    .describe("probe timing; readiness is on /orwasm/ready, liveness on /orwasm/live"),
  drain: z
    .strictObject({
      preStopSeconds: z
        .int()
        .min(0)
        .default(5)
        .describe("preStop sleep before SIGQUIT, so endpoints stop sending new requests first"),
      longestRequestSeconds: z
        .int()
        .min(1)
        .default(60)
        .describe(
          "the longest request a route allows (nginx's proxy_read_timeout default is 60 s); terminationGracePeriodSeconds = preStopSeconds + this + 5",
        ),
    })
    .default({ preStopSeconds: 5, longestRequestSeconds: 60 })
    .describe("how a pod drains: preStop, then SIGQUIT (nginx finishes in-flight requests)"),
});

/** The Kubernetes settings with every default filled in. */
export type KubernetesDeployment = z.output<typeof kubernetesDeploymentSchema>;

/** A Kubernetes object name (DNS-1123 subdomain). */
const k8sName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "must be a Kubernetes name: lowercase letters, digits, '-' and '.'",
  )
  .max(253);

/** A label key (optional DNS prefix and '/') and value, as Kubernetes validates them. */
const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a Kubernetes label key",
  );
const labelValue = z
  .string()
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, "must be a Kubernetes label value");

/** Settings both WasmPlugin kinds share. */
const wasmPluginCommon = {
  namespace: k8sName.optional().describe("metadata.namespace of the WasmPlugin resources"),
  imagePullPolicy: z
    .enum(["IfNotPresent", "Always"])
    .optional()
    .describe("how the gateway re-pulls the image (default: IfNotPresent, Always for :latest)"),
  imagePullSecret: k8sName
    .optional()
    .describe("name of a Secret (type kubernetes.io/dockerconfigjson) the gateway pulls with"),
};

/** Istio WasmPlugin targeting for `orwasm wasmplugin --for istio` (selector, targetRefs). */
export const istioDeploymentSchema = z.strictObject({
  ...wasmPluginCommon,
  selector: z
    .strictObject({ matchLabels: z.record(labelKey, labelValue) })
    .optional()
    .describe("the workloads (gateway pods) the plugins apply to, by label"),
  targetRefs: z
    .array(
      z.strictObject({
        group: z.string().default("gateway.networking.k8s.io").describe("API group of the target"),
        kind: z
          .enum(["Gateway", "Service", "ServiceEntry", "GatewayClass"])
          .describe("what the plugins attach to"),
        name: k8sName,
        namespace: k8sName.optional(),
      }),
    )
    .min(1)
    .optional()
    .describe("Gateway API resources the plugins attach to (instead of a selector)"),
});

/** Higress WasmPlugin settings for `orwasm wasmplugin --for higress`. */
export const higressDeploymentSchema = z.strictObject({
  ...wasmPluginCommon,
  ingress: z
    .record(
      z.string().min(1),
      z
        .string()
        .regex(
          /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
          "must be NAMESPACE/NAME of an Ingress",
        ),
    )
    .default({})
    .describe(
      "the Higress Ingress (namespace/name) that serves each route, by route path; a route whose plugins carry their own config becomes a matchRule on its Ingress",
    ),
});

export const deploymentSchema = z.strictObject({
  kubernetes: kubernetesDeploymentSchema.optional().describe("the OpenResty gateway on Kubernetes"),
  istio: istioDeploymentSchema.optional().describe("the plugins as Istio WasmPlugin resources"),
  higress: higressDeploymentSchema
    .optional()
    .describe("the plugins as Higress WasmPlugin resources"),
});

export type IstioDeployment = z.output<typeof istioDeploymentSchema>;
export type HigressDeployment = z.output<typeof higressDeploymentSchema>;
