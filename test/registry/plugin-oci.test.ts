// `orwasm plugin push/pull` against a real registry (Debian's docker-registry on loopback, open and with htpasswd),
// with skopeo as the independent client that must read what orwasm wrote, and write what orwasm reads.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildPlugin } from "../../src/plugins/index.js";
import { findInTarGzip, tarGzip } from "../../src/oci/tar.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { registryToolsSkip, startRegistry, type TestRegistry } from "../helpers/registry.js";

const skip = registryToolsSkip();
const EXAMPLE = resolve(import.meta.dirname, "../../examples/add-header");
const sha = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const USER = "orwasm-ci";
const PASSWORD = "s3cret-Pa55-word-i13";

interface PushJson {
  ref: string;
  digest: string;
  image: string;
  format: string;
  blobs: { digest: string; size: number; upload: string }[];
}

describe.skipIf(skip)(
  `plugins as OCI images on a real registry${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let open: TestRegistry;
    let authed: TestRegistry;
    let dir: string;
    let wasm: Uint8Array;
    let wasmFile: string;
    const savedEnv = { ...process.env };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "orwasm-i13-oci-"));
      [open, authed] = await Promise.all([
        startRegistry(),
        startRegistry({ user: USER, password: PASSWORD }),
      ]);
      wasmFile = join(dir, "add_header.wasm");
      await buildPlugin({
        lang: "assemblyscript",
        dir: EXAMPLE,
        entry: "assembly/index.ts",
        outFile: wasmFile,
      });
      wasm = new Uint8Array(readFileSync(wasmFile));
    }, 300_000);
    afterAll(async () => {
      process.env = savedEnv;
      await Promise.all([open?.stop(), authed?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
      // Every test gets an empty cache and a Docker config of its own (none unless it writes one).
      process.env.ORWASM_OCI_CACHE = mkdtempSync(join(dir, "cache-"));
      process.env.DOCKER_CONFIG = mkdtempSync(join(dir, "docker-"));
    });

    const cli = (...args: string[]) => runCli(args, dir);
    const pushJson = async (...args: string[]): Promise<PushJson> => {
      const r = await cli("plugin", "push", ...args, "--json");
      expect(r.stderr).not.toMatch(/orwasm: /);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as PushJson;
    };
    const manifestOf = async (reg: TestRegistry, repo: string, ref: string) => {
      const res = await fetch(`http://${reg.host}/v2/${repo}/manifests/${ref}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      });
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return {
        bytes,
        json: JSON.parse(Buffer.from(bytes).toString()) as {
          layers: { mediaType: string; digest: string }[];
          config: { mediaType: string };
        },
      };
    };
    const login = (reg: TestRegistry, password = PASSWORD) =>
      writeFileSync(
        join(process.env.DOCKER_CONFIG!, "config.json"),
        JSON.stringify({
          auths: { [reg.host]: { auth: Buffer.from(`${USER}:${password}`).toString("base64") } },
        }),
      );
    const noSecret = (r: CliResult, ...more: string[]) => {
      for (const text of [r.stdout, r.stderr, ...more]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString("base64"));
      }
    };

    it("push (image format) writes an OCI image whose last layer is tar+gzip holding plugin.wasm; pull gives the same bytes back", async () => {
      const ref = `${open.host}/plugins/add-header:1.0`;
      const pushed = await pushJson(wasmFile, `oci://${ref}`);
      expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(pushed.image).toBe(`oci://${ref}@${pushed.digest}`);
      const m = await manifestOf(open, "plugins/add-header", "1.0");
      expect(sha(m.bytes)).toBe(pushed.digest);
      const last = m.json.layers.at(-1)!;
      expect(last.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
      const blob = new Uint8Array(
        await (
          await fetch(`http://${open.host}/v2/plugins/add-header/blobs/${last.digest}`)
        ).arrayBuffer(),
      );
      expect(Buffer.from((await findInTarGzip(blob, "plugin.wasm"))!)).toEqual(Buffer.from(wasm));

      const out = join(dir, "pulled-image.wasm");
      const pulled = await cli("plugin", "pull", ref, "-o", out, "--json");
      expect(pulled.code).toBe(0);
      expect(JSON.parse(pulled.stdout)).toMatchObject({
        digest: pushed.digest,
        layout: "oci-image",
        cached: false,
        sha256: sha(wasm).slice(7),
      });
      expect(Buffer.from(readFileSync(out))).toEqual(Buffer.from(wasm));
    });

    it("push --format wasm writes the two-layer wasm artifact (application/vnd.module.wasm.content.layer.v1+wasm); pull reads it", async () => {
      const ref = `${open.host}/plugins/add-header-wasm:1.0`;
      const pushed = await pushJson(wasmFile, ref, "--format", "wasm");
      const m = await manifestOf(open, "plugins/add-header-wasm", pushed.digest);
      expect(m.json.layers.map((l) => l.mediaType)).toEqual([
        "application/vnd.module.wasm.config.v1+json",
        "application/vnd.module.wasm.content.layer.v1+wasm",
      ]);
      expect(m.json.layers[1]!.digest).toBe(sha(wasm));
      const out = join(dir, "pulled-wasm.wasm");
      const pulled = await cli("plugin", "pull", `${ref}@${pushed.digest}`, "-o", out, "--json");
      expect(JSON.parse(pulled.stdout)).toMatchObject({
        digest: pushed.digest,
        layout: "wasm-artifact",
      });
      expect(Buffer.from(readFileSync(out))).toEqual(Buffer.from(wasm));
    });

    it("push --spec/--readme adds Higress' spec.yaml and README layers before the tar+gzip layer; pull still finds plugin.wasm", async () => {
      writeFileSync(join(dir, "spec.yaml"), "apiVersion: 1.0.0\ninfo:\n  category: custom\n");
      writeFileSync(join(dir, "README.md"), "# add_header\n");
      const ref = `${open.host}/plugins/with-docs:1`;
      const pushed = await pushJson(
        wasmFile,
        ref,
        "--spec",
        join(dir, "spec.yaml"),
        "--readme",
        join(dir, "README.md"),
      );
      const m = await manifestOf(open, "plugins/with-docs", "1");
      expect(m.json.layers.map((l) => l.mediaType)).toEqual([
        "application/vnd.module.wasm.spec.v1+yaml",
        "application/vnd.module.wasm.doc.v1+markdown",
        "application/vnd.oci.image.layer.v1.tar+gzip",
      ]);
      expect(m.json.layers[0]!.digest).toBe(
        sha(new Uint8Array(readFileSync(join(dir, "spec.yaml")))),
      );
      const r = await cli("plugin", "pull", ref, "-o", join(dir, "docs.wasm"), "--json");
      expect(JSON.parse(r.stdout)).toMatchObject({ digest: pushed.digest, layout: "oci-image" });
      expect(Buffer.from(readFileSync(join(dir, "docs.wasm")))).toEqual(Buffer.from(wasm));
      rmSync(join(dir, "spec.yaml"));
      rmSync(join(dir, "README.md"));
    });

    it("a second push of the same plugin sends no blob (HEAD finds them) and gives the same digest; the same plugin under --chunk-size uploads in chunks", async () => {
      const first = await pushJson(wasmFile, `${open.host}/plugins/again:1`);
      const second = await pushJson(wasmFile, `${open.host}/plugins/again:2`);
      expect(second.digest).toBe(first.digest);
      expect(second.blobs.map((b) => b.upload)).toEqual(second.blobs.map(() => "exists"));
      expect(first.blobs.map((b) => b.upload)).toContain("monolithic");

      const chunked = await pushJson(
        wasmFile,
        `${open.host}/plugins/chunked:1`,
        "--format",
        "wasm",
        "--chunk-size",
        "1024",
      );
      const big = chunked.blobs.find((b) => b.size > 1024)!;
      expect(big.upload).toBe("chunked");
      const out = join(dir, "chunked.wasm");
      expect((await cli("plugin", "pull", `${open.host}/plugins/chunked:1`, "-o", out)).code).toBe(
        0,
      );
      expect(Buffer.from(readFileSync(out))).toEqual(Buffer.from(wasm));
    });

    it("a pulled plugin is cached by digest: pulling REPO@sha256 again needs no registry", async () => {
      const pushed = await pushJson(wasmFile, `${open.host}/plugins/cached:1`);
      const byDigest = `${open.host}/plugins/cached@${pushed.digest}`;
      expect((await cli("plugin", "pull", byDigest, "-o", join(dir, "c1.wasm"))).code).toBe(0);
      // Delete the manifest from the registry: the second pull can only come from the cache.
      const del = await fetch(`http://${open.host}/v2/plugins/cached/manifests/${pushed.digest}`, {
        method: "DELETE",
      });
      expect(del.status).toBe(202);
      const again = await cli("plugin", "pull", byDigest, "-o", join(dir, "c2.wasm"), "--json");
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ cached: true, digest: pushed.digest });
      expect(Buffer.from(readFileSync(join(dir, "c2.wasm")))).toEqual(Buffer.from(wasm));
    });

    for (const format of ["image", "wasm"]) {
      it(`skopeo reads what orwasm pushed (${format}): inspect gives orwasm's digest, copy to a dir gives the same manifest and blob bytes`, async () => {
        const ref = `${open.host}/skopeo-reads/${format}:1`;
        const pushed = await pushJson(wasmFile, ref, "--format", format);
        const raw = execFileSync("skopeo", [
          "inspect",
          "--raw",
          "--tls-verify=false",
          `docker://${ref}`,
        ]);
        expect(sha(new Uint8Array(raw))).toBe(pushed.digest);
        if (format === "image") {
          // skopeo 1.9 parses image configs only: for the wasm artifact (config type
          // application/vnd.module.wasm.config.v1+json) it answers "unsupported image-specific operation on artifact".
          const digest = execFileSync(
            "skopeo",
            [
              "inspect",
              "--tls-verify=false",
              "--format",
              "{{.Digest}} {{.Architecture}} {{.Os}} {{len .Layers}}",
              `docker://${ref}`,
            ],
            { encoding: "utf8" },
          ).trim();
          expect(digest).toBe(`${pushed.digest} wasm wasip1 1`);
        }
        const copy = join(dir, `skopeo-copy-${format}`);
        execFileSync(
          "skopeo",
          ["copy", "--src-tls-verify=false", `docker://${ref}`, `dir:${copy}`],
          { stdio: "pipe" },
        );
        const m = await manifestOf(open, `skopeo-reads/${format}`, "1");
        expect(Buffer.from(readFileSync(join(copy, "manifest.json")))).toEqual(
          Buffer.from(m.bytes),
        );
        for (const b of pushed.blobs) {
          const file = new Uint8Array(readFileSync(join(copy, b.digest.slice(7))));
          expect(sha(file)).toBe(b.digest);
          expect(file.length).toBe(b.size);
        }
        const wasmLayer = m.json.layers.at(-1)!;
        const layerBytes = new Uint8Array(readFileSync(join(copy, wasmLayer.digest.slice(7))));
        const inner =
          format === "image" ? await findInTarGzip(layerBytes, "plugin.wasm") : layerBytes;
        expect(Buffer.from(inner!)).toEqual(Buffer.from(wasm));
      });
    }

    it("orwasm pulls a Docker-format image with plugin.wasm in its last layer that skopeo pushed", async () => {
      // A Docker schema 2 image in skopeo's dir: layout, pushed by skopeo (orwasm never writes this layout).
      const src = join(dir, "docker-layout");
      mkdirSync(src, { recursive: true });
      const { gz, tar } = await tarGzip([{ name: "plugin.wasm", data: wasm }]);
      const config = Buffer.from(
        JSON.stringify({
          architecture: "amd64",
          os: "linux",
          rootfs: { type: "layers", diff_ids: [sha(tar)] },
          config: {},
        }),
      );
      const manifest = {
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          mediaType: "application/vnd.docker.container.image.v1+json",
          size: config.length,
          digest: sha(config),
        },
        layers: [
          {
            mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
            size: gz.length,
            digest: sha(gz),
          },
        ],
      };
      writeFileSync(join(src, "version"), "Directory Transport Version: 1.1\n");
      writeFileSync(join(src, "manifest.json"), JSON.stringify(manifest));
      writeFileSync(join(src, sha(config).slice(7)), config);
      writeFileSync(join(src, sha(gz).slice(7)), gz);
      const ref = `${open.host}/from-skopeo/plugin:1`;
      execFileSync("skopeo", ["copy", "--dest-tls-verify=false", `dir:${src}`, `docker://${ref}`], {
        stdio: "pipe",
      });
      const out = join(dir, "from-skopeo.wasm");
      const r = await cli("plugin", "pull", `oci://${ref}`, "-o", out, "--json");
      expect(r.stderr).not.toMatch(/orwasm: /);
      expect(JSON.parse(r.stdout)).toMatchObject({ layout: "docker-image" });
      expect(Buffer.from(readFileSync(out))).toEqual(Buffer.from(wasm));
    });

    it("orwasm pulls an OCI image that skopeo copied (re-pushed) from orwasm's push into another repository", async () => {
      const first = await pushJson(wasmFile, `${open.host}/copy-src/p:1`);
      execFileSync(
        "skopeo",
        [
          "copy",
          "--src-tls-verify=false",
          "--dest-tls-verify=false",
          `docker://${open.host}/copy-src/p:1`,
          `docker://${open.host}/copy-dst/p:9`,
        ],
        { stdio: "pipe" },
      );
      const r = await cli(
        "plugin",
        "pull",
        `${open.host}/copy-dst/p:9`,
        "-o",
        join(dir, "copied.wasm"),
        "--json",
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ layout: "oci-image", digest: first.digest });
      expect(Buffer.from(readFileSync(join(dir, "copied.wasm")))).toEqual(Buffer.from(wasm));
    });

    it("a tag moved after it was pinned is refused, naming the pinned and the actual digest; nothing is written", async () => {
      const v1 = await pushJson(wasmFile, `${open.host}/moving/p:stable`);
      const v2 = await pushJson(wasmFile, `${open.host}/moving/p:stable`, "--format", "wasm");
      expect(v2.digest).not.toBe(v1.digest);
      const out = join(dir, "moved.wasm");
      const r = await cli("plugin", "pull", `${open.host}/moving/p:stable@${v1.digest}`, "-o", out);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`expected ${v1.digest}`);
      expect(r.stderr).toContain(`actual   ${v2.digest}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack
      expect(() => readFileSync(out)).toThrow();
    });

    describe("with htpasswd auth", () => {
      it("push and pull round trips in both formats with credentials from the Docker config's auths", async () => {
        login(authed);
        for (const format of ["image", "wasm"]) {
          const ref = `${authed.host}/private/add-header-${format}:1`;
          const pushed = await pushJson(wasmFile, ref, "--format", format);
          const out = join(dir, `authed-${format}.wasm`);
          const r = await cli("plugin", "pull", ref, "-o", out, "--json");
          expect(r.code).toBe(0);
          expect(JSON.parse(r.stdout)).toMatchObject({ digest: pushed.digest });
          expect(Buffer.from(readFileSync(out))).toEqual(Buffer.from(wasm));
          noSecret(r);
        }
        // The registry really requires them: an anonymous manifest read is refused.
        expect(
          (await fetch(`http://${authed.host}/v2/private/add-header-image/manifests/1`)).status,
        ).toBe(401);
      });

      it("credentials from a credential helper named in credHelpers (docker-credential-NAME get) are used", async () => {
        const bin = mkdtempSync(join(dir, "bin-"));
        const seen = join(bin, "asked-for");
        writeFileSync(
          join(bin, "docker-credential-orwasmtest"),
          `#!/bin/sh\n[ "$1" = get ] || exit 1\ncat > ${seen}\nprintf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$(cat ${seen})"\n`,
        );
        chmodSync(join(bin, "docker-credential-orwasmtest"), 0o755);
        process.env.PATH = `${bin}:${savedEnv.PATH}`;
        writeFileSync(
          join(process.env.DOCKER_CONFIG!, "config.json"),
          JSON.stringify({ credHelpers: { [authed.host]: "orwasmtest" } }),
        );
        const r = await cli("plugin", "push", wasmFile, `${authed.host}/private/helper:1`);
        expect(r.stderr).not.toMatch(/orwasm: /);
        expect(r.code).toBe(0);
        expect(readFileSync(seen, "utf8")).toBe(authed.host);
        noSecret(r);
        // credsStore: the same helper for every registry.
        writeFileSync(
          join(process.env.DOCKER_CONFIG!, "config.json"),
          JSON.stringify({ credsStore: "orwasmtest" }),
        );
        const p = await cli(
          "plugin",
          "pull",
          `${authed.host}/private/helper:1`,
          "-o",
          join(dir, "helper.wasm"),
        );
        expect(p.code).toBe(0);
        process.env.PATH = savedEnv.PATH;
      });

      it("a wrong password is a clear error (exit 3, the user and where the credentials came from) with no credential in any message or log", async () => {
        login(authed, "not-the-password");
        const r = await cli("plugin", "push", wasmFile, `${authed.host}/private/wrong:1`);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain(
          `${authed.host} refused the credentials for user '${USER}' from ${join(process.env.DOCKER_CONFIG!, "config.json")} auths (HTTP 401)`,
        );
        expect(r.stderr).not.toContain("not-the-password");
        expect(r.stderr).not.toContain(Buffer.from(`${USER}:not-the-password`).toString("base64"));
        expect(r.stderr).not.toMatch(/\n\s+at /);
        const pulled = await cli("plugin", "pull", `${authed.host}/private/wrong:1`, "--json");
        expect(pulled.code).toBe(3);
        for (const text of [r.stdout, pulled.stdout, pulled.stderr, authed.log()]) {
          expect(text).not.toContain("not-the-password");
          expect(text).not.toContain(Buffer.from(`${USER}:not-the-password`).toString("base64"));
        }
        noSecret(r, authed.log());
      });

      it("no credentials at all: the error says the registry needs them and how to log in", async () => {
        const r = await cli("plugin", "pull", `${authed.host}/private/add-header-image:1`);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain(
          `${authed.host} needs credentials and none were found for it in the Docker config; run \`docker login ${authed.host}\``,
        );
      });
    });

    it("plain HTTP is refused for a registry that is not on loopback unless --insecure is given", async () => {
      // 127.0.0.1 is loopback; a name that is not resolves to https, which the local registry does not speak.
      const r = await cli(
        "plugin",
        "pull",
        `registry.invalid:${open.host.split(":")[1]}/plugins/add-header:1.0`,
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /cannot reach the registry registry\.invalid:\d+ \(https:\/\/registry\.invalid:\d+\)/,
      );
      expect(r.stderr).toContain("needs --insecure");
    });

    it("a bad reference is a usage error (exit 2) that shows the expected form", async () => {
      const r = await cli("plugin", "pull", "plugins/add-header:1");
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        "'plugins' is not a registry host (give host:port or a dotted name)",
      );
      expect(r.stderr).toContain("e.g. oci://registry.example:5000/plugins/add-header:1.0");
    });
  },
);
