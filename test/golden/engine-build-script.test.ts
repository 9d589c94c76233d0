import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { engineArtifactSpecs } from "../../src/engine/artifacts.js";
import { renderBuildScript } from "../../src/engine/build-script.js";
import { LOCKFILE_VERSION, type Lockfile } from "../../src/engine/lockfile.js";
import { resolveArtifacts } from "../../src/engine/resolve.js";
import { engineSchema } from "../../src/project/schema-engine.js";

/** A lockfile pinning every artifact to a stand-in hash (sha256 of its file name), so the pins section is visible. */
function standInLock(engineInput: object): Lockfile {
  const engine = engineSchema.parse(engineInput);
  return {
    lockfileVersion: LOCKFILE_VERSION,
    artifacts: engineArtifactSpecs(engine).map((s) => ({
      ...s,
      sha256: createHash("sha256").update(s.file).digest("hex"),
    })),
  };
}

function render(engineInput: object, opts: { lock?: boolean; mirror?: string } = {}): string {
  const engine = engineSchema.parse(engineInput);
  return renderBuildScript({
    engine,
    artifacts: resolveArtifacts(engine, opts.lock ? standInLock(engineInput) : undefined),
    projectLabel: "orwasm.yaml",
    mirror: opts.mirror,
  });
}

describe("build.sh golden files", () => {
  it("wasmtime, no lockfile: built-in pins for openresty and lua-resty-http, the rest listed as NOT PINNED", async () => {
    await expect(render({})).toMatchFileSnapshot("./__snapshots__/engine-build-wasmtime.sh");
  });

  it("WasmEdge with a lockfile: WasmEdge fetched, unpacked and installed next to wasmtime", async () => {
    await expect(render({ vm: "wasmedge" }, { lock: true })).toMatchFileSnapshot(
      "./__snapshots__/engine-build-wasmedge.sh",
    );
  });

  it("extra configure flags, debug and linker options", async () => {
    const input = {
      configure: {
        extraFlags: ["--with-http_iconv_module", "--add-module=/src/headers-more-nginx-module"],
        debug: true,
        ldOpt: "-Wl,-z,relro -Wl,-z,now",
        ccOpt: "-O2 -g",
      },
    };
    await expect(render(input, { lock: true })).toMatchFileSnapshot(
      "./__snapshots__/engine-build-extra-flags.sh",
    );
  });

  it("a mirror base URL as the ORWASM_MIRROR default, minimal preset", async () => {
    const input = { configure: { preset: "minimal" } };
    await expect(
      render(input, { lock: true, mirror: "https://artifacts.example.test/orwasm" }),
    ).toMatchFileSnapshot("./__snapshots__/engine-build-mirror.sh");
  });
});
