// `orwasm wasmplugin --for istio|higress`: golden resources, read back as kubectl reads YAML (1.1), validated by the
// schemas; and the validators themselves shown to refuse wrong resources.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateWasmPlugin } from "../../src/render/wasmplugin-validate.js";
import type { Resource } from "../../src/render/wasmplugin.js";
import { runCli } from "../helpers/cli.js";

// All-digit manifest digests on purpose: unquoted, a YAML 1.1 reader would take them for numbers.
const PINNED = `sha256:${"1234567890".repeat(6)}1234`;
const INLINE = `sha256:${"0".repeat(63)}7`;

const PROJECT = `name: edge
plugins:
  - name: auth_check
    image: oci://registry.example:5000/plugins/auth-check:1.2
    phase: authn
    priority: 20
    config: { realm: edge, "on": "yes", ports: [8080, 8443], limit: 0.5 }
  - name: add_header
    rootId: add_header
    image: oci://registry.example:5000/plugins/add-header:1.0@${INLINE}
    failure: open
    config: '{"header": "x-hello", "value": "world"}'
  - name: stats
    image: oci://registry.example:5000/plugins/stats@${PINNED}
    phase: stats
upstreams:
  - { name: backend, servers: ["backend:8080"] }
servers:
  - listen: 8080
    routes:
      - { path: /, upstream: backend, plugins: [auth_check, add_header, stats] }
      - path: /admin
        upstream: backend
        plugins: [{ name: add_header, config: { header: x-admin, value: "true" } }, auth_check]
deployment:
  istio:
    namespace: istio-system
    selector: { matchLabels: { istio: ingressgateway } }
    imagePullPolicy: IfNotPresent
    imagePullSecret: registry-pull
  higress:
    namespace: higress-system
    ingress: { /admin: default/admin }
`;

const LOCK = JSON.stringify({
  lockfileVersion: 1,
  artifacts: [],
  images: [{ image: "oci://registry.example:5000/plugins/auth-check:1.2", digest: PINNED }],
});

let dir: string;
const write = (name: string, text: string, lock = LOCK) => {
  const d = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(d, "orwasm.yaml"), text);
  writeFileSync(join(d, "orwasm.lock"), lock);
  return d;
};

/** The documents as kubectl reads them (YAML 1.1), without the comment header. */
const kubectlRead = (text: string) =>
  parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS() as Resource);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orwasm-i13-wasmplugin-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("orwasm wasmplugin", () => {
  for (const target of ["istio", "higress"] as const) {
    it(`--for ${target}: golden resources that the ${target} schema accepts, and that read back under YAML 1.1 with strings as strings`, async () => {
      const d = write(target, PROJECT);
      const r = await runCli(["wasmplugin", d, "--for", target], d);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(`./__snapshots__/wasmplugin-${target}.yaml`);
      const docs = kubectlRead(r.stdout);
      expect(docs.map((x) => (x.metadata as { name: string }).name)).toEqual([
        "auth-check",
        "add-header",
        "stats",
      ]);
      for (const doc of docs) expect(validateWasmPlugin(doc, target)).toEqual([]);
      const [auth, add, stats] = docs.map((x) => x.spec as Record<string, unknown>);
      // url keeps oci://; sha256 is the manifest digest's hex, a string even when all digits.
      expect(auth).toMatchObject({
        url: "oci://registry.example:5000/plugins/auth-check:1.2",
        sha256: PINNED.slice(7),
        phase: "AUTHN",
        priority: 20,
        failStrategy: "FAIL_CLOSE",
      });
      expect(add).toMatchObject({
        url: "oci://registry.example:5000/plugins/add-header:1.0",
        sha256: INLINE.slice(7),
        failStrategy: "FAIL_OPEN",
        pluginName: "add_header",
      });
      expect(stats).toMatchObject({
        url: `oci://registry.example:5000/plugins/stats@${PINNED}`,
        sha256: PINNED.slice(7),
        phase: "STATS",
      });
      const key = target === "istio" ? "pluginConfig" : "defaultConfig";
      expect(auth![key]).toEqual({ realm: "edge", on: "yes", ports: [8080, 8443], limit: 0.5 });
      expect(add![key]).toEqual({ header: "x-hello", value: "world" });
      if (target === "istio") {
        expect(auth!.selector).toEqual({ matchLabels: { istio: "ingressgateway" } });
        expect(docs[0]!.metadata).toMatchObject({ namespace: "istio-system" });
      } else {
        expect(add!.matchRules).toEqual([
          { ingress: ["default/admin"], config: { header: "x-admin", value: "true" } },
        ]);
        expect(auth!.matchRules).toBeUndefined();
        expect(docs[0]!.metadata).toMatchObject({ namespace: "higress-system" });
      }
    });
  }

  it("-o writes the file atomically and --json prints the same resources", async () => {
    const d = write("out", PROJECT);
    const r = await runCli(["wasmplugin", d, "--for", "higress", "-o", join(d, "wp.yaml")], d);
    expect(r.code).toBe(0);
    const j = await runCli(["wasmplugin", d, "--for", "higress", "--json"], d);
    expect(kubectlRead(readFileSync(join(d, "wp.yaml"), "utf8"))).toEqual(JSON.parse(j.stdout));
  });

  it("Istio targetRefs are rendered instead of a selector", async () => {
    const d = write(
      "targetrefs",
      PROJECT.replace(
        "selector: { matchLabels: { istio: ingressgateway } }",
        "targetRefs: [{ kind: Gateway, name: edge-gw }]",
      ),
    );
    const r = await runCli(["wasmplugin", d, "--for", "istio", "--json"], d);
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.stdout) as Resource[];
    expect(docs[0]!.spec).toMatchObject({
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "edge-gw" }],
    });
    expect((docs[0]!.spec as Record<string, unknown>).selector).toBeUndefined();
    for (const doc of docs) expect(validateWasmPlugin(doc, "istio")).toEqual([]);
  });

  describe("a wrong project is exit 2 with file:line:col and the key path, and nothing is written", () => {
    const cases: [string, string, string, RegExp][] = [
      [
        "selector and targetRefs both",
        "istio",
        PROJECT.replace(
          "imagePullPolicy: IfNotPresent",
          "imagePullPolicy: IfNotPresent\n    targetRefs: [{ kind: Gateway, name: gw }]",
        ),
        /^orwasm\.yaml:30:17: deployment\.istio\.targetRefs: give either `selector` or `targetRefs`, not both/m,
      ],
      [
        "a label value Kubernetes refuses",
        "istio",
        PROJECT.replace("istio: ingressgateway", "istio: not a label"),
        /^orwasm\.yaml:28:39: deployment\.istio\.selector\.matchLabels\.istio: must be a Kubernetes label value$/m,
      ],
      [
        "an unknown key under deployment.higress",
        "higress",
        PROJECT.replace("namespace: higress-system", "namespace: higress-system\n    selector: {}"),
        /^orwasm\.yaml:33:5: deployment\.higress\.selector: unknown key 'selector'$/m,
      ],
      [
        "an Ingress for a path no route has",
        "higress",
        PROJECT.replace("/admin: default/admin", "/admin: default/admin, /nope: default/x"),
        /^orwasm\.yaml:33:39: deployment\.higress\.ingress\.\/nope: no route has the path '\/nope'/m,
      ],
      [
        "a per-route config with no Ingress for its route",
        "higress",
        PROJECT.replace("    ingress: { /admin: default/admin }\n", ""),
        /^orwasm\.yaml:24:47: servers\.0\.routes\.1\.plugins\.0\.config: this route's own config becomes a Higress matchRule/m,
      ],
      [
        "an image tag that orwasm lock has not pinned",
        "istio",
        PROJECT.replace("auth-check:1.2", "auth-check:1.3"),
        /^orwasm\.yaml:4:12: plugins\.0\.image: the tag oci:\/\/registry\.example:5000\/plugins\/auth-check:1\.3 is not pinned/m,
      ],
      [
        "a string config that is not a JSON object",
        "istio",
        PROJECT.replace(`'{"header": "x-hello", "value": "world"}'`, "plain-text"),
        /^orwasm\.yaml:12:13: plugins\.1\.config: is a string that is not a JSON object, and Istio's pluginConfig is an object/m,
      ],
      [
        "a plugin with no image",
        "higress",
        PROJECT.replace(
          "image: oci://registry.example:5000/plugins/stats@",
          "file: stats.wasm\n    # was: ",
        ),
        /^orwasm\.yaml:13:11: plugins\.2\.name: plugin stats has no image/m,
      ],
    ];
    for (const [name, target, text, expected] of cases) {
      it(name, async () => {
        const d = write(name.replace(/\W+/g, "-"), text);
        const r = await runCli(["wasmplugin", "orwasm.yaml", "--for", target, "-o", "out.yaml"], d);
        expect(r.stderr).toMatch(expected);
        expect(r.stderr).toMatch(/nothing was written/);
        expect(r.code).toBe(2);
        expect(() => readFileSync(join(d, "out.yaml"))).toThrow();
      });
    }
  });
});

describe("the WasmPlugin validators refuse wrong resources", () => {
  const good = (apiVersion: string): Resource => ({
    apiVersion,
    kind: "WasmPlugin",
    metadata: { name: "p" },
    spec: { url: "oci://registry.example/p:1", sha256: "a".repeat(64), failStrategy: "FAIL_CLOSE" },
  });
  const with_ = (r: Resource, spec: Record<string, unknown>): Resource => ({
    ...r,
    spec: { ...(r.spec as object), ...spec },
  });

  it("Istio (@kubernetes-models/istio): a good one passes; a bad enum or a wrong type is refused, naming the field", () => {
    const ok = good("extensions.istio.io/v1alpha1");
    expect(validateWasmPlugin(ok, "istio")).toEqual([]);
    expect(
      validateWasmPlugin(with_(ok, { failStrategy: "FAIL_CLOSED" }), "istio").join("\n"),
    ).toMatch(/failStrategy/);
    expect(validateWasmPlugin(with_(ok, { phase: "AUTH" }), "istio").join("\n")).toMatch(/phase/);
    expect(validateWasmPlugin(with_(ok, { priority: "high" }), "istio").join("\n")).toMatch(
      /priority/,
    );
  });

  it("Higress (schema from its CRD): a good one passes; a bad enum, an unknown field, a missing name or the wrong apiVersion is refused", () => {
    const ok = good("extensions.higress.io/v1alpha1");
    expect(validateWasmPlugin(ok, "higress")).toEqual([]);
    expect(validateWasmPlugin(with_(ok, { phase: "AUTH" }), "higress")).toEqual([
      "/spec/phase: must be equal to one of the allowed values (UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS)",
    ]);
    expect(validateWasmPlugin(with_(ok, { defaultConfg: {} }), "higress")).toEqual([
      "/spec: must NOT have additional properties ('defaultConfg')",
    ]);
    expect(
      validateWasmPlugin(with_(ok, { matchRules: [{ ingress: "default/a" }] }), "higress"),
    ).toEqual(["/spec/matchRules/0/ingress: must be array"]);
    expect(validateWasmPlugin({ ...ok, metadata: {} }, "higress")).toEqual([
      "/metadata: must have required property 'name'",
    ]);
    expect(
      validateWasmPlugin({ ...ok, apiVersion: "extensions.istio.io/v1alpha1" }, "higress").join(
        "\n",
      ),
    ).toMatch(/^\/apiVersion: must be equal to constant/);
  });
});
