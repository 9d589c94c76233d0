// Golden files for `orwasm k8s`: every manifest of two projects (defaults, and a tuned deployment section), reviewed
// like code, and each validated against the Kubernetes schemas.
import { describe, expect, it } from "vitest";
import { renderManifests } from "../../src/k8s/manifests.js";
import { validateManifests } from "../../src/k8s/validate.js";
import { defaultTarget } from "../../src/render/target.js";
import { projectFrom } from "../helpers/project.js";
import { parseProbeOutput, probeToTarget } from "../../src/engine/probe.js";
import { DEBIAN_NGINX_PROBE } from "../helpers/engine-probes.js";

const DIGEST = `registry.internal/gw@sha256:${"4f2c".repeat(16)}`;

const BASE = `name: edge_gw
plugins:
  - { name: add_header, file: add_header.wasm, config: world }
upstreams:
  - { name: backend, servers: ["backend:8080"] }
servers:
  - listen: 8080
    routes:
      - { path: /, upstream: backend, plugins: [add_header] }
`;

function render(yaml: string, engine: "built" | "debian" = "built"): Record<string, string> {
  const project = projectFrom(yaml, { add_header: ["proxy_on_response_headers"] });
  const probed =
    engine === "debian"
      ? probeToTarget(parseProbeOutput(DEBIAN_NGINX_PROBE), { vm: "wasmedge" }, "image debian")
          .engine!
      : undefined;
  return renderManifests({
    project,
    target: probed?.target ?? defaultTarget(project),
    image: DIGEST,
    nginxBin: probed?.nginxBin,
    projectLabel: "orwasm.yaml",
  });
}

function joined(files: Record<string, string>): string {
  return Object.entries(files)
    .map(([name, text]) => `### ${name}\n${text}`)
    .join("\n");
}

describe("Kubernetes manifest golden files", () => {
  it("a project without a deployment section gets every default", async () => {
    const files = render(BASE);
    expect(Object.keys(files)).toEqual([
      "configmap.yaml",
      "deployment.yaml",
      "service.yaml",
      "pdb.yaml",
      "hpa.yaml",
      "kustomization.yaml",
    ]);
    expect(validateManifests(files)).toEqual([]);
    await expect(joined(files)).toMatchFileSnapshot("./__snapshots__/k8s-defaults.yaml");
  });

  it("a tuned deployment section: fixed replicas, no HPA, two ports, namespace, labels, env, drain", async () => {
    const files = render(`${BASE}  - listen: 9443
    routes:
      - { path: /, respond: { body: "tls terminated upstream\\n" } }
deployment:
  kubernetes:
    name: edge
    namespace: gateways
    labels: { team: platform }
    env: { TZ: UTC }
    replicas: 3
    autoscaling: { enabled: false }
    resources: { requests: { cpu: "1", memory: 256Mi }, limits: { cpu: "2", memory: 512Mi } }
    topologySpread: { zone: DoNotSchedule }
    service: { type: LoadBalancer }
    health: { port: 9901 }
    drain: { preStopSeconds: 10, longestRequestSeconds: 300 }
`);
    expect(Object.keys(files)).not.toContain("hpa.yaml");
    expect(validateManifests(files)).toEqual([]);
    // The grace period covers the preStop sleep and the longest request, plus a margin.
    expect(files["deployment.yaml"]).toContain("terminationGracePeriodSeconds: 315");
    await expect(joined(files)).toMatchFileSnapshot("./__snapshots__/k8s-tuned.yaml");
  });

  it("an engine image with Debian's nginx layout: emptyDirs at its compiled-in temp paths, its nginx binary and prefix", async () => {
    const files = render(BASE, "debian");
    expect(validateManifests(files)).toEqual([]);
    const deployment = files["deployment.yaml"]!;
    // Debian's nginx creates /var/lib/nginx/{body,proxy,...} at start and logs to stderr before reading the conf.
    for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"])
      expect(deployment).toContain(`mountPath: /var/lib/nginx/${d}\n`);
    expect(deployment).not.toMatch(/mountPath: \/usr\/share\/nginx\/(logs|client_body_temp)/);
    expect(deployment).toContain("readOnlyRootFilesystem: true");
    await expect(files["deployment.yaml"]).toMatchFileSnapshot(
      "./__snapshots__/k8s-debian-engine.yaml",
    );
  });
});
