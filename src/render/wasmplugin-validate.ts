// Offline validation of rendered WasmPlugin resources: Istio's with @kubernetes-models/istio (generated from Istio's
// CRDs), Higress' against schema/higress-wasmplugin.schema.json (generated from Higress' published CRD).
import { readFileSync } from "node:fs";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";
import { Ajv, type ValidateFunction } from "ajv";
import type { Resource, WasmPluginTarget } from "./wasmplugin.js";

let higress: ValidateFunction | undefined;

function higressValidator(): ValidateFunction {
  if (higress) return higress;
  const schema = JSON.parse(
    readFileSync(new URL("../../schema/higress-wasmplugin.schema.json", import.meta.url), "utf8"),
  ) as object;
  higress = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return higress;
}

/** Every schema violation of one resource, as `path: message` lines; empty when it is valid. */
export function validateWasmPlugin(resource: Resource, target: WasmPluginTarget): string[] {
  if (target === "istio") {
    try {
      new WasmPlugin(resource as ConstructorParameters<typeof WasmPlugin>[0]).validate();
      return [];
    } catch (err) {
      return String((err as Error).message)
        .split(/,\s*(?=data)/)
        .map((l) => l.trim())
        .filter(Boolean);
    }
  }
  const validate = higressValidator();
  if (validate(resource)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"}: ${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? ` ('${String(e.params.additionalProperty)}')` : ""}${e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""}`,
  );
}
