// The `deployment:` section: where the project's gateway and plugins are deployed beyond one container.
import { z } from "zod";

/** Kubernetes workload settings for `orwasm k8s` (replicas, resources, autoscaling, spread). */
export const kubernetesDeploymentSchema = z.strictObject({});

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
