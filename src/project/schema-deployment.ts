// The `deployment:` section: where the project's gateway and plugins are deployed beyond one container.
import { z } from "zod";

/** Kubernetes workload settings for `orwasm k8s` (replicas, resources, autoscaling, spread). */
export const kubernetesDeploymentSchema = z.strictObject({});

/** Istio WasmPlugin targeting for `orwasm wasmplugin --for istio` (selector, targetRefs). */
export const istioDeploymentSchema = z.strictObject({});

/** Higress WasmPlugin settings for `orwasm wasmplugin --for higress`. */
export const higressDeploymentSchema = z.strictObject({});

export const deploymentSchema = z.strictObject({
  kubernetes: kubernetesDeploymentSchema.optional().describe("the OpenResty gateway on Kubernetes"),
  istio: istioDeploymentSchema.optional().describe("the plugins as Istio WasmPlugin resources"),
  higress: higressDeploymentSchema
    .optional()
    .describe("the plugins as Higress WasmPlugin resources"),
});
