import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBuildScript } from "../../src/engine/build-script.js";
import type { Lockfile } from "../../src/engine/lockfile.js";
import { resolveArtifacts } from "../../src/engine/resolve.js";
import { parseProjectText } from "../../src/project/parse.js";
import { engineSchema, type EngineData } from "../../src/project/schema-engine.js";
import { FAKE_VERSIONS, makeFakeEngineSources } from "../fixtures/fake-engine-sources.js";
import { hasCommand, requireOrSkip } from "../helpers/skip.js";

const tmp = mkdtempSync(join(tmpdir(), "orwasm-build-sh-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function script(engineInput: object, lock?: Lockfile, mirror?: string): string {
  const engine = engineSchema.parse(engineInput);
  return renderBuildScript({
    engine,
    artifacts: resolveArtifacts(engine, lock),
    projectLabel: "orwasm.yaml",
    mirror,
  });
}

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text, { mode: 0o755 });
  return p;
}

const noShellcheck = requireOrSkip(
  "shellcheck",
  hasCommand("shellcheck"),
  "shellcheck is not installed (scripts/setup-test-env.sh installs it)",
);

describe("build.sh passes shellcheck", () => {
  const variants: Record<string, object> = {
    wasmtime: {},
    wasmedge: { vm: "wasmedge" },
    "extra flags, debug and ld_opt": {
      configure: {
        extraFlags: ["--with-http_iconv_module", "--add-module=/src/echo-nginx-module"],
        debug: true,
        ldOpt: "-L/opt/lib -Wl,-z,now",
      },
    },
    "minimal preset": { configure: { preset: "minimal", ccOpt: "", luajitXcflags: "" } },
    mirror: { mirror: "https://mirror.example.test/orwasm" },
  };
  for (const [name, input] of Object.entries(variants)) {
    it.skipIf(noShellcheck)(
      `variant ${name} has no shellcheck finding${noShellcheck ? ` (skipped: ${noShellcheck})` : ""}`,
      () => {
        const p = write(
          `sc-${name.replace(/\W+/g, "-")}.sh`,
          script(input, undefined, (input as { mirror?: string }).mirror),
        );
        const r = spawnSync("shellcheck", ["--severity=style", p], { encoding: "utf8" });
        expect(r.stdout + r.stderr).toBe("");
        expect(r.status).toBe(0);
      },
    );
  }
});

describe("values from the project file cannot run code in build.sh", () => {
  it("refuses at load, with file, line and key, an extraFlag holding a command substitution or a quote", () => {
    const text = [
      "servers:",
      "  - routes: [{ path: / }]",
      "engine:",
      "  configure:",
      "    extraFlags:",
      "      - --with-http_slice_module",
      '      - "--with-cc-opt=$(touch /tmp/pwned)"',
      "      - --with-ld-opt='-lfoo'",
      '    ccOpt: "-O2 `id`"',
    ].join("\n");
    const parsed = parseProjectText(text, "orwasm.yaml");
    expect(parsed.data).toBeUndefined();
    const byKey = Object.fromEntries(parsed.problems.map((p) => [p.path, p]));
    expect(byKey["engine.configure.extraFlags.1"]).toMatchObject({ file: "orwasm.yaml", line: 7 });
    expect(byKey["engine.configure.extraFlags.2"]).toMatchObject({ file: "orwasm.yaml", line: 8 });
    expect(byKey["engine.configure.ccOpt"]).toMatchObject({ file: "orwasm.yaml", line: 9 });
    expect(byKey["engine.configure.extraFlags.1"]!.message).toMatch(/one \.\/configure flag/);
    expect(byKey["engine.configure.extraFlags.0"]).toBeUndefined();
  });

  it("keeps hostile text literal even when the schema is bypassed: bash -n passes and a dry run prints it unchanged, running nothing", () => {
    const pwned = join(tmp, "pwned");
    const hostile = [
      `--x=$(touch ${pwned})`,
      "--y=it's",
      "--z=`touch " + pwned + "`",
      '--w="a b";touch ' + pwned,
    ];
    const engine: EngineData = engineSchema.parse({});
    // Bypasses the schema on purpose: the renderer's own quoting is what is under test.
    const bad: EngineData = {
      ...engine,
      prefix: `/opt/o'r $(touch ${pwned})`,
      configure: {
        ...engine.configure,
        extraFlags: hostile,
        ccOpt: `-O2 $(touch ${pwned}) '"`,
        ldOpt: "-L/x;touch " + pwned,
      },
    };
    const p = write(
      "hostile.sh",
      renderBuildScript({
        engine: bad,
        artifacts: resolveArtifacts(bad),
        projectLabel: "x\n$(touch /tmp/x)",
      }),
    );
    expect(spawnSync("bash", ["-n", p]).status).toBe(0);
    const r = spawnSync("bash", [p], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, ORWASM_DRY_RUN: "1" },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const configureArgs = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("configure: "))
      .map((l) => l.slice(11));
    for (const h of hostile) expect(configureArgs).toContain(h);
    expect(configureArgs).toContain(`--prefix=/opt/o'r $(touch ${pwned})`);
    expect(configureArgs).toContain(`--with-cc-opt=-O2 $(touch ${pwned}) '"`);
    expect(configureArgs).toContain(
      `--with-ld-opt=-Wl,-rpath,/opt/o'r $(touch ${pwned})/wasm/lib -L/x;touch ${pwned}`,
    );
    expect(existsSync(pwned)).toBe(false);
  });
});

const noMake = requireOrSkip(
  "make",
  hasCommand("make") && hasCommand("xz"),
  "make or xz is not installed",
);

describe.skipIf(noMake)(
  `build.sh runs offline against test-made sources${noMake ? ` (skipped: ${noMake})` : ""}`,
  () => {
    let sources: string;
    let lock: Lockfile;
    beforeAll(() => {
      sources = join(tmp, "sources");
      lock = makeFakeEngineSources(sources, FAKE_VERSIONS);
    });

    function run(engineInput: object, env: Record<string, string>, lockfile = lock) {
      const p = write(
        `run-${Math.random().toString(36).slice(2)}.sh`,
        script({ ...FAKE_VERSIONS, ...engineInput }, lockfile),
      );
      return spawnSync("bash", [p], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
    }

    it("configures with --add-module for the module and the VM rpath, and installs proxy-wasm.lua, resty.http and libwasmtime into the prefix", () => {
      const prefix = join(tmp, "prefix-wasmtime");
      const r = run(
        { configure: { extraFlags: ["--with-http_slice_module"] } },
        { ORWASM_SOURCES: sources, OR_PREFIX: prefix, MAKE_JOBS: "2" },
      );
      expect(r.status, r.stderr).toBe(0);
      const args = readFileSync(join(prefix, "nginx/orwasm-configure-args.txt"), "utf8").split(
        "\n",
      );
      expect(args).toContain(`--prefix=${prefix}`);
      expect(args.find((a) => a.startsWith("--add-module="))).toMatch(
        /\/build\/wasm-nginx-module$/,
      );
      expect(args).toContain(`--with-ld-opt=-Wl,-rpath,${prefix}/wasm/lib`);
      expect(args).toContain(
        "--with-luajit-xcflags=-DLUAJIT_NUMMODE=2 -DLUAJIT_ENABLE_LUA52COMPAT",
      );
      expect(args).toContain("--with-http_slice_module");
      expect(args).toContain("-j2");
      for (const f of [
        "lualib/resty/proxy-wasm.lua",
        "lualib/resty/http.lua",
        "lualib/resty/http_headers.lua",
        "wasm/lib/libwasmtime.so",
      ]) {
        expect(existsSync(join(prefix, f)), f).toBe(true);
      }
      expect(r.stderr).toMatch(/configure arguments:.*--add-module=/);
    });

    it("with vm: wasmedge also installs libwasmedge_c.so (from the tarball's lib64) next to libwasmtime", () => {
      const prefix = join(tmp, "prefix-wasmedge");
      const r = run({ vm: "wasmedge" }, { ORWASM_SOURCES: sources, OR_PREFIX: prefix });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(prefix, "wasm/lib/libwasmedge_c.so"))).toBe(true);
      expect(existsSync(join(prefix, "wasm/lib/libwasmtime.so"))).toBe(true);
    });

    it("stops before extracting anything when a file's bytes differ from its pin, printing the file and both hashes", () => {
      const bad = join(tmp, "bad-sources");
      execFileSync("cp", ["-r", sources, bad]);
      const f = join(bad, "wasm-nginx-module-0.7.99.tar.gz");
      const bytes = readFileSync(f);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(f, bytes);
      const work = join(tmp, "work-bad");
      const r = run(
        {},
        { ORWASM_SOURCES: bad, OR_PREFIX: join(tmp, "prefix-bad"), ORWASM_WORKDIR: work },
      );
      expect(r.status).not.toBe(0);
      const want = lock.artifacts.find((a) => a.file === "wasm-nginx-module-0.7.99.tar.gz")!.sha256;
      const got = execFileSync("sha256sum", [f], { encoding: "utf8" }).split(" ")[0];
      expect(r.stderr).toContain(
        `checksum mismatch for wasm-nginx-module-0.7.99.tar.gz: expected sha256 ${want}, got ${got}`,
      );
      expect(existsSync(join(work, "build/openresty-1.21.4.99"))).toBe(false);
      expect(existsSync(join(tmp, "prefix-bad"))).toBe(false);
    });

    it("refuses to start when an artifact has no pin, naming the file", () => {
      const partial: Lockfile = {
        ...lock,
        artifacts: lock.artifacts.filter((a) => a.name !== "wasmtime-c-api"),
      };
      const work = join(tmp, "work-unpinned");
      const r = run(
        {},
        { ORWASM_SOURCES: sources, OR_PREFIX: join(tmp, "prefix-unpinned"), ORWASM_WORKDIR: work },
        partial,
      );
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(
        /no pinned sha256 for wasmtime-v0\.38\.99-(x86_64|aarch64)-linux-c-api\.tar\.xz; run 'orwasm lock'/,
      );
      expect(existsSync(join(work, "sources"))).toBe(false);
    });
  },
);
