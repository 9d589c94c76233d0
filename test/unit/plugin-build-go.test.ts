// Builds Go plugins for real with the machine's Go (GOOS=wasip1 -buildmode=c-shared) and checks what a user of
// `orwasm plugin build` observes: a reactor module, caching, rebuilds after edits, go.mod/go.sum left alone,
// compile errors with the compiler's output (exit 3), and clear errors for a missing or too old go.
import { chmod, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";
import { BuildError } from "../../src/errors.js";
import { buildGoPlugin } from "../../src/plugins/go-build.js";
import { goBuildArgs } from "../../src/plugins/go-args.js";
import { parseGoVersion } from "../../src/plugins/go-toolchain.js";
import { planBuilds } from "../../src/plugins/plan.js";
import { haveGo } from "../fixtures/go-plugins/build.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TMP = join(import.meta.dirname, "__tmp__", `plugin-build-go-${process.pid}`);
const GO_TIMEOUT = 400_000;
const GO = haveGo();

function capture(cwd = ROOT): CliIO & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    cwd,
    isTTY: false,
    out: (s: string) => void (out += s),
    err: (s: string) => void (err += s),
    stdout: () => out,
    stderr: () => err,
  };
}

async function copyExample(name: string, as: string): Promise<string> {
  const dir = join(TMP, as);
  await cp(join(ROOT, "examples", name), dir, {
    recursive: true,
    filter: (src) => !src.includes("/build"),
  });
  return dir;
}

beforeAll(async () => {
  await mkdir(TMP, { recursive: true });
});
afterAll(async () => {
  await rm(TMP, { recursive: true, force: true });
});

describe("the go build command line", () => {
  it("is c-shared, trimpath and -mod=readonly; vendored plugins build with -mod=vendor; a GOFLAGS -mod wins", () => {
    expect(goBuildArgs({ pkg: ".", outFile: "o.wasm", goflags: "", vendored: false })).toEqual([
      "build",
      "-buildmode=c-shared",
      "-trimpath",
      "-mod=readonly",
      "-o",
      "o.wasm",
      ".",
    ]);
    expect(goBuildArgs({ pkg: "cmd/p", outFile: "o", goflags: "", vendored: true })).toContain(
      "-mod=vendor",
    );
    expect(goBuildArgs({ pkg: "cmd/p", outFile: "o", goflags: "", vendored: true }).at(-1)).toBe(
      "./cmd/p",
    );
    const withUserMod = goBuildArgs({
      pkg: ".",
      outFile: "o",
      goflags: "-mod=mod",
      vendored: false,
    });
    expect(withUserMod.some((a) => a.startsWith("-mod="))).toBe(false);
  });

  it("reads go versions as major.minor", () => {
    expect(parseGoVersion("go1.26.8")).toEqual([1, 26]);
    expect(parseGoVersion("go1.24rc1")).toEqual([1, 24]);
    expect(parseGoVersion("devel +abc")).toBeUndefined();
  });

  it("a plugin folder holding go.mod is planned as a Go build of its main package", async () => {
    const plan = await planBuilds(join(ROOT, "examples", "go-headers"), {});
    // go-headers has an orwasm.yaml: its plugin's build: says lang go
    expect(plan.targets).toMatchObject([{ name: "go_headers", lang: "go", package: "." }]);
    const bare = join(TMP, "bare-go");
    await mkdir(bare, { recursive: true });
    await writeFile(join(bare, "go.mod"), "module x\n\ngo 1.24\n");
    expect((await planBuilds(bare, {})).targets).toMatchObject([{ name: "bare-go", lang: "go" }]);
  });
});

describe("the toolchain check", () => {
  it("a missing go names the version needed and ORWASM_GO", async () => {
    const dir = await copyExample("go-headers", "no-go");
    const err = await buildGoPlugin({
      dir,
      outFile: join(dir, "build", "p.wasm"),
      env: { ...process.env, ORWASM_GO: join(TMP, "no-such-go") },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(/needs Go 1\.24 or newer/);
    expect((err as Error).message).toMatch(/no `.*no-such-go` was found/);
  });

  it("a go older than 1.24 is refused, naming the version found and the one needed", async () => {
    const dir = await copyExample("go-headers", "old-go");
    const fake = join(TMP, "fake-go");
    await writeFile(
      fake,
      '#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go1.22.5 && exit 0\nexit 9\n',
    );
    await chmod(fake, 0o755);
    const err = await buildGoPlugin({
      dir,
      outFile: join(dir, "build", "p.wasm"),
      env: { ...process.env, ORWASM_GO: fake },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(
      /is go1\.22\.5; building a Go plugin needs Go 1\.24 or newer/,
    );
  });

  it("a folder without go.mod says what build.dir must hold", async () => {
    const err = await buildGoPlugin({ dir: TMP, outFile: join(TMP, "x.wasm") }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(/has no go\.mod/);
  });
});

describe.skipIf(!GO)("building examples/go-headers with the machine's Go", () => {
  it(
    "writes a wasip1 reactor with the proxy-wasm ABI marker; unchanged, the next build is cached; an edit rebuilds",
    async () => {
      const dir = await copyExample("go-headers", "cache");
      const outFile = join(dir, "build", "go_headers.wasm");
      const goMod = await readFile(join(dir, "go.mod"), "utf8");
      const goSum = await readFile(join(dir, "go.sum"), "utf8");
      const first = await buildGoPlugin({ dir, outFile });
      expect(first.cached).toBe(false);
      const bytes = await readFile(outFile);
      const mod = new WebAssembly.Module(bytes);
      const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
      expect(exports).toContain("_initialize");
      expect(exports).not.toContain("_start");
      expect(exports).toContain("proxy_abi_version_0_2_0");
      expect(exports).toContain("proxy_on_response_headers");
      const wasi = WebAssembly.Module.imports(mod).filter(
        (i) => i.module === "wasi_snapshot_preview1",
      );
      expect(wasi.map((i) => i.name)).toContain("clock_time_get");

      const second = await buildGoPlugin({ dir, outFile });
      expect(second.cached).toBe(true);
      expect(await readFile(outFile)).toEqual(bytes);

      await writeFile(
        join(dir, "main.go"),
        (await readFile(join(dir, "main.go"), "utf8")).replace(
          "x-go-status-seen",
          "x-go-status-edited",
        ),
      );
      const third = await buildGoPlugin({ dir, outFile });
      expect(third.cached).toBe(false);
      expect((await readFile(outFile)).includes(Buffer.from("x-go-status-edited"))).toBe(true);
      expect(await readFile(join(dir, "go.mod"), "utf8")).toBe(goMod);
      expect(await readFile(join(dir, "go.sum"), "utf8")).toBe(goSum);
    },
    GO_TIMEOUT,
  );

  it(
    "a compile error exits 3 with the compiler's file:line message and leaves no .wasm",
    async () => {
      const dir = await copyExample("go-headers", "broken");
      await writeFile(
        join(dir, "main.go"),
        (await readFile(join(dir, "main.go"), "utf8")).replace(
          "func main() {}",
          "func main() { undefinedThing() }",
        ),
      );
      const io = capture();
      const code = await main(["plugin", "build", dir], io);
      expect(code).toBe(3);
      expect(io.stderr()).toMatch(/main\.go:\d+:\d+: undefined: undefinedThing/);
      expect(io.stderr()).not.toMatch(/\n\s+at /); // no stack trace
      await expect(readFile(join(dir, "build", "go_headers.wasm"))).rejects.toThrow();
    },
    GO_TIMEOUT,
  );

  it(
    "a go.sum missing a module's checksum is a build error, and go.sum stays as it was (-mod=readonly)",
    async () => {
      const dir = await copyExample("go-headers", "no-sum");
      await writeFile(join(dir, "go.sum"), "");
      const err = await buildGoPlugin({ dir, outFile: join(dir, "build", "p.wasm") }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BuildError);
      expect((err as Error).message).toMatch(/missing go\.sum entry/);
      expect(await readFile(join(dir, "go.sum"), "utf8")).toBe("");
    },
    GO_TIMEOUT,
  );

  it(
    "orwasm plugin build --json reports the built Go plugin",
    async () => {
      const dir = await copyExample("go-headers", "cli");
      const io = capture();
      const code = await main(["plugin", "build", dir, "--json"], io);
      expect(code, io.stderr()).toBe(0);
      const out = JSON.parse(io.stdout()) as { plugins: { name: string; bytes: number }[] };
      expect(out.plugins[0]?.name).toBe("go_headers");
      expect(out.plugins[0]?.bytes).toBeGreaterThan(100_000);
    },
    GO_TIMEOUT,
  );
});
