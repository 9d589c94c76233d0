// Offline validation of rendered manifests against the Kubernetes OpenAPI schemas (kubernetes-models), so a
// manifest the API server would refuse is caught before anything is applied.
import { parseAllDocuments } from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";

type ModelClass = new (data: never) => { validate(): void };

/** The kinds orwasm renders, by `apiVersion/kind`. */
const MODELS: Record<string, ModelClass> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

/** Kustomize's own file is not a Kubernetes object; its few keys are checked here. */
const KUSTOMIZATION = "kustomize.config.k8s.io/v1beta1/Kustomization";

/** One problem: which file and object, and what the schema said. */
export interface ManifestProblem {
  file: string;
  object: string;
  message: string;
}

/** Validates every document of every file; returns the problems (empty when all are valid). */
export function validateManifests(files: Record<string, string>): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) {
        out.push({ file, object: "?", message: doc.errors.map((e) => e.message).join("; ") });
        continue;
      }
      const obj = doc.toJS() as {
        apiVersion?: string;
        kind?: string;
        metadata?: { name?: string };
      } | null;
      if (!obj) continue;
      const key = `${obj.apiVersion}/${obj.kind}`;
      const object = `${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}`;
      if (key === KUSTOMIZATION) {
        const resources = (obj as { resources?: unknown }).resources;
        if (
          !Array.isArray(resources) ||
          resources.some((r) => typeof r !== "string" || !(r in files))
        )
          out.push({
            file,
            object: "Kustomization",
            message: "resources must list the files written beside it",
          });
        continue;
      }
      const Model = MODELS[key];
      if (!Model) {
        out.push({ file, object, message: `unknown kind ${key}` });
        continue;
      }
      try {
        new Model(obj as never).validate();
      } catch (err) {
        out.push({ file, object, message: (err as Error).message });
      }
    }
  }
  return out;
}
