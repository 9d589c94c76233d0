// The memory-growth check of engine images ([WASMTIME-4]): its module, the script run in the image, the verdict
// read from what real engine images printed (test/fixtures/engine-growth, recorded from orwasm-real-engine
// images), and what probeEngine does with a lost growth.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wabtInit from "wabt";
import { describe, expect, it } from "vitest";
import {
  GROWTH_MODULE,
  growthCheckScript,
  parseGrowthOutput,
} from "../../src/engine/growth-check.js";
import { parseProbeOutput, probeToTarget } from "../../src/engine/probe.js";
import { probeEngine, type ImageCommandRunner } from "../../src/engine/probe-run.js";
import { ConfigError } from "../../src/errors.js";
import type { Project } from "../../src/project/project.js";

const FIX = join(import.meta.dirname, "../fixtures/engine-growth");
const fixture = (name: string) => readFileSync(join(FIX, name), "utf8");
const PROBE = fixture("probe-wasmtime-image.txt");
const ENGINE = probeToTarget(parseProbeOutput(PROBE), { vm: "wasmtime" }, "image x").engine!;

const WAT = `(module (memory (export "memory") 1)
  (func (export "_initialize")
    (drop (memory.grow (i32.const 1)))
    (memory.fill (i32.const 65536) (i32.const 0) (i32.const 65536))))`;

describe("the growth check module", () => {
  it("is the module its comment shows, as wabt assembles it", async () => {
    const wabt = await wabtInit();
    const m = wabt.parseWat("growth.wat", WAT, { bulk_memory: true });
    expect([...GROWTH_MODULE]).toEqual([...m.toBinary({}).buffer]);
    m.destroy();
  });

  it("runs in a VM that sees growth (V8): _initialize returns and the memory has 2 pages", async () => {
    const { instance } = await WebAssembly.instantiate(GROWTH_MODULE);
    (instance.exports._initialize as () => void)();
    expect((instance.exports.memory as WebAssembly.Memory).buffer.byteLength).toBe(2 * 65536);
  });
});

describe("the growth check script", () => {
  it("writes exactly the module's bytes with sh's printf", () => {
    const script = growthCheckScript(ENGINE);
    const printf = script.split("\n").find((l) => l.startsWith("printf "))!;
    const dir = mkdtempSync(join(tmpdir(), "orwasm-growth-"));
    try {
      const out = join(dir, "m.wasm");
      execFileSync("/bin/sh", ["-c", printf.replace(/> \S+$/, `> ${out}`)]);
      expect([...readFileSync(out)]).toEqual([...GROWTH_MODULE]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads the image's modules, picks the project's vm and runs the image's nginx without a master", () => {
    const script = growthCheckScript(ENGINE);
    expect(script).toContain("load_module /usr/lib/nginx/modules/ngx_http_wasm_module.so;");
    expect(script).toContain("wasm_vm wasmtime;");
    expect(script).toContain("master_process off;");
    expect(script).toMatch(
      /\/usr\/sbin\/nginx -p \/tmp\/orwasm-growth\/ -c \/tmp\/orwasm-growth\/nginx.conf/,
    );
  });
});

describe("the growth verdict, read from what the real engine images printed", () => {
  it("wasmtime 0.38.1 in orwasm-real-engine:wasmtime: lost, with the VM's trap line", () => {
    const v = parseGrowthOutput(fixture("wasmtime-image-vm-wasmtime.txt"));
    expect(v.kind).toBe("lost");
    expect(v.kind === "lost" && v.lines[0]).toMatch(
      /failed to call function: wasm trap: out of bounds memory access/,
    );
  });

  it("the same libwasmtime.so in orwasm-real-engine:wasmedge (vm wasmtime): lost too", () => {
    expect(parseGrowthOutput(fixture("wasmedge-image-vm-wasmtime.txt")).kind).toBe("lost");
  });

  it("the same image with libwasmtime.so 0.38.1 rebuilt from the same source by rustc 1.63 (mounted over it): ok", () => {
    expect(parseGrowthOutput(fixture("wasmtime-image-libwasmtime-rustc-1.63.txt"))).toEqual({
      kind: "ok",
    });
  });

  it("WasmEdge 0.10.0 in orwasm-real-engine:wasmedge: ok", () => {
    expect(parseGrowthOutput(fixture("wasmedge-image-vm-wasmedge.txt"))).toEqual({ kind: "ok" });
  });

  it("no marker (nginx did not start): unknown, with the last lines it printed", () => {
    const v = parseGrowthOutput(
      'nginx: [emerg] unknown directive "wasm_vm" in /tmp/x.conf:7\n@@exit 1\n',
    );
    expect(v).toEqual({
      kind: "unknown",
      lines: ['nginx: [emerg] unknown directive "wasm_vm" in /tmp/x.conf:7'],
    });
  });
});

/** A runner that answers the probe script with the recorded probe and the growth script with `growth`. */
function runner(growth: string): ImageCommandRunner {
  return {
    run: async (_ref, cmd) => ({
      exitCode: 0,
      stdout: cmd[1]!.includes("@@growth") ? growth : PROBE,
      stderr: "",
    }),
  };
}

/** A project with one plugin built by `kind`. */
function project(kind: "go" | "other"): Project {
  return {
    file: "/p/orwasm.yaml",
    dir: "/p",
    data: { engine: { vm: "wasmtime" }, gateway: {} },
    plugins: [{ data: { name: "hdr" }, info: { toolchain: { kind } } }],
  } as unknown as Project;
}

describe("probeEngine with an image whose VM loses memory growth", () => {
  it("refuses a project with a Go plugin: engine.vm, the plugin, the trap and the fix", async () => {
    const lines: string[] = [];
    const err = await probeEngine(
      runner(fixture("wasmtime-image-vm-wasmtime.txt")),
      "img:wt",
      project("go"),
      (l) => lines.push(l),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const p = (err as ConfigError).problems[0]!;
    expect(p).toMatchObject({ file: "/p/orwasm.yaml", path: "engine.vm" });
    expect(p.message).toMatch(/img:wt: its wasmtime VM loses memory.grow/);
    expect(p.message).toMatch(
      /Go plugin hdr will trap the same way, at load or when its heap first grows/,
    );
    expect(p.message).toMatch(/engine: \{ vm: wasmedge \}/);
    expect(p.message).toMatch(/\| .*wasm trap: out of bounds memory access/);
  });

  it("only warns for a project without Go plugins, and returns the engine", async () => {
    const lines: string[] = [];
    const engine = await probeEngine(
      runner(fixture("wasmtime-image-vm-wasmtime.txt")),
      "img:wt",
      project("other"),
      (l) => lines.push(l),
    );
    expect(engine.target.vm).toBe("wasmtime");
    expect(lines.find((l) => l.startsWith("warning: "))).toMatch(
      /any plugin that grows its memory can fail: memory\.fill, memory\.copy, WASI and the host's reads and writes/,
    );
  });

  it("says nothing more when the VM sees the growth", async () => {
    const lines: string[] = [];
    await probeEngine(runner("@@growth ok\n@@exit 0\n"), "img:ok", project("go"), (l) =>
      lines.push(l),
    );
    expect(lines.filter((l) => l.startsWith("warning"))).toEqual([]);
  });
});
