// What `orwasm k8s` refuses and what the offline validation catches: a wrong manifest is really rejected.
import { mkdtempSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { renderManifests } from "../../src/k8s/manifests.js";
import { validateManifests } from "../../src/k8s/validate.js";
import { podRun } from "../../src/k8s/kubelet.js";
import { defaultTarget } from "../../src/render/target.js";
import { ConfigError } from "../../src/errors.js";
import { projectFrom } from "../helpers/project.js";
import { runCli } from "../helpers/cli.js";

const DIGEST = `gw@sha256:${"ab".repeat(32)}`;
const YAML = `servers:
  - listen: 8080
    routes: [{ path: /, respond: { body: ok } }]
`;

function files(yaml = YAML, image = DIGEST): Record<string, string> {
  const project = projectFrom(yaml, {});
  return renderManifests({
    project,
    target: defaultTarget(project),
    image,
    projectLabel: "orwasm.yaml",
  });
}

/** Rewrites one file's object with `edit`, keeping everything else as rendered. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into arbitrary manifest fields
type Obj = Record<string, any>;

function edited(name: string, edit: (o: Obj) => void): Record<string, string> {
  const out = files();
  const obj = parse(out[name]!) as Obj;
  edit(obj);
  out[name] = stringify(obj);
  return out;
}

describe("Kubernetes manifest validation", () => {
  it("accepts what orwasm renders", () => {
    expect(validateManifests(files())).toEqual([]);
  });

  it("rejects a container port given as a word, naming the file, object and field", () => {
    const bad = edited("deployment.yaml", (d) => {
      d.spec.template.spec.containers[0].ports[0].containerPort = "http";
    });
    const problems = validateManifests(bad);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "deployment.yaml", object: "Deployment/gateway" });
    expect(problems[0]!.message).toMatch(/containerPort must be integer/);
  });

  it("rejects a Deployment without a selector and an HPA without maxReplicas", () => {
    const noSelector = edited("deployment.yaml", (d) => delete d.spec.selector);
    expect(validateManifests(noSelector)[0]!.message).toMatch(/selector/);
    const noMax = edited("hpa.yaml", (h) => delete h.spec.maxReplicas);
    expect(validateManifests(noMax)[0]!.message).toMatch(/maxReplicas/);
  });

  it("rejects a kustomization listing a file that is not there", () => {
    const bad = edited("kustomization.yaml", (k) => void k.resources.push("ingress.yaml"));
    expect(validateManifests(bad)[0]).toMatchObject({ file: "kustomization.yaml" });
  });

  it("refuses an image not pinned by digest, a privileged port and a health port a server uses", () => {
    expect(() => files(YAML, "gw:latest")).toThrow(/not pinned by digest/);
    const err = (() => {
      try {
        files(YAML.replace("8080", "80"));
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems[0]).toMatchObject({ path: "servers.0.listen" });
    expect(err!.problems[0]!.message).toMatch(/non-root/);
    expect(() => files(YAML.replace("8080", "8099"))).toThrow(
      /health listener needs a port of its own/,
    );
  });

  it("gives an access log file's folder an emptyDir, and refuses one that would hide the plugins", () => {
    const logged = (path: string) => `gateway: { accessLog: ${path} }\n${YAML}`;
    const run = podRun(files(logged("/var/log/gw/access.log")));
    expect(run.emptyDirs).toContain("/var/log/gw");
    // /tmp already holds the pid file and reload's stage: a log there needs no volume of its own.
    expect(
      podRun(files(logged("/tmp/access.log"))).emptyDirs.filter((d) => d === "/tmp"),
    ).toHaveLength(1);
    expect(() => files(logged("/usr/local/openresty/nginx/access.log"))).toThrow(
      /nginx writes in \/usr\/local\/openresty\/nginx, which holds the plugins .*log to \/dev\/stdout or a folder of its own/,
    );
  });
});

describe("the kubelet's view of the Deployment (src/k8s/kubelet.ts)", () => {
  const tuned = () => {
    const p = projectFrom(
      `${YAML}deployment:
  kubernetes: { env: { TZ: UTC }, drain: { preStopSeconds: 3, longestRequestSeconds: 30 } }
`,
      {},
    );
    return renderManifests({
      project: p,
      target: defaultTarget(p),
      image: DIGEST,
      projectLabel: "x",
    });
  };

  it("derives argv, user, env, ports, probes, files and emptyDirs from the manifest text", () => {
    const run = podRun(tuned());
    expect(run.image).toBe(DIGEST);
    expect(run.argv).toEqual([
      "nginx",
      "-p",
      "/usr/local/openresty/nginx",
      "-c",
      "/etc/orwasm/nginx.conf",
      "-g",
      "daemon off;",
    ]);
    expect(run.user).toBe("10001:10001");
    expect(run.env).toEqual({ TZ: "UTC" });
    expect(run.ports).toEqual({ http: 8080, health: 8099 });
    expect(run.readiness).toEqual({ path: "/orwasm/ready", port: 8099, periodSeconds: 5 });
    expect(run.preStop).toEqual(["sleep", "3"]);
    expect(run.terminationGracePeriodSeconds).toBe(38);
    expect(run.files.find((f) => f.path === "/etc/orwasm/nginx.conf")!.content).toContain(
      "listen 8099;",
    );
    expect(run.emptyDirs).toEqual(
      expect.arrayContaining(["/tmp", "/usr/local/openresty/nginx/client_body_temp"]),
    );
  });

  it("follows an edit of the manifest, and refuses a mount whose volume is missing", () => {
    const files = tuned();
    const obj = parse(files["deployment.yaml"]!) as Obj;
    obj.spec.template.spec.containers[0].securityContext.runAsUser = 4242;
    obj.spec.template.spec.volumes = obj.spec.template.spec.volumes.filter(
      (v: Obj) => v.name !== "tmp",
    );
    files["deployment.yaml"] = stringify(obj);
    expect(() => podRun(files)).toThrow(/volumeMount tmp names no volume/);
    obj.spec.template.spec.containers[0].volumeMounts =
      obj.spec.template.spec.containers[0].volumeMounts.filter((m: Obj) => m.name !== "tmp");
    files["deployment.yaml"] = stringify(obj);
    const run = podRun(files);
    expect(run.user).toBe("4242:10001");
    expect(run.emptyDirs).not.toContain("/tmp");
  });
});

describe("orwasm k8s on the command line", () => {
  const project = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "orwasm-k8s-"));
    writeFileSync(join(dir, "orwasm.yaml"), text);
    return dir;
  };

  it("exits 2 with file:line:col and the key path for a wrong deployment section, and writes nothing", async () => {
    const dir = project(`${YAML}deployment:
  kubernetes:
    replicas: two
    resources: { requests: { cpu: lots } }
`);
    const r = await runCli(["k8s", dir, "-o", join(dir, "out"), "--image", DIGEST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/orwasm\.yaml:6:15: deployment\.kubernetes\.replicas: /);
    expect(r.stderr).toMatch(
      /orwasm\.yaml:7:35: deployment\.kubernetes\.resources\.requests\.cpu: must be a Kubernetes quantity/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir)).toEqual(["orwasm.yaml"]);
  });

  it("exits 2 when minReplicas is above maxReplicas, at the key's line", async () => {
    const dir = project(`${YAML}deployment:
  kubernetes:
    autoscaling:
      minReplicas: 5
      maxReplicas: 3
`);
    const r = await runCli(["k8s", dir, "-o", join(dir, "out"), "--image", DIGEST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /orwasm\.yaml:7:20: deployment\.kubernetes\.autoscaling\.minReplicas: minReplicas 5 is above maxReplicas 3/,
    );
  });

  it("writes the six files and lists them", async () => {
    const dir = project(YAML);
    const r = await runCli(["k8s", dir, "-o", join(dir, "out"), "--image", DIGEST]);
    expect(r.stderr).toContain("kubectl apply -k");
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, "out")).sort()).toEqual([
      ".orwasm-context",
      "configmap.yaml",
      "deployment.yaml",
      "hpa.yaml",
      "kustomization.yaml",
      "pdb.yaml",
      "service.yaml",
    ]);
  });
});
