// The bad-input suite: every case is accepted with a conf a real nginx accepts and bytes delivered exactly, or
// refused with exit 2, one `file:line:col key: message` line per problem, no stack and nothing written.
// `orwasm test` agrees with `orwasm conf` on every case: a project one refuses, the other refuses too.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { nginxMissing, nginxTest, runInNginx } from "../helpers/nginx.js";
import { requireOrSkip } from "../helpers/skip.js";
import { proxyWasm } from "../helpers/wat.js";
import { accepted, refused } from "./cases.js";

const missing = nginxMissing();
const noNginx = requireOrSkip("nginx", !missing, missing ?? "");

function projectDir(
  yaml: string | Buffer | undefined,
  files: Record<string, string | Uint8Array> = {},
  fileName = "orwasm.yaml",
): string {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-bad-"));
  if (yaml !== undefined) writeFileSync(join(dir, fileName), yaml);
  const all: Record<string, string | Uint8Array> = {
    "p.wasm": proxyWasm(["proxy_on_request_headers"]),
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    if (content === "fifo") execFileSync("mkfifo", [path]);
    else writeFileSync(path, content);
  }
  return dir;
}

describe("bad input: accepted cases give a conf nginx accepts", () => {
  it.each(accepted)("$name", async (c) => {
    const dir = projectDir(c.yaml, {}, c.fileName);
    const r = await runCli(["conf", ".", "-o", "out/nginx.conf"], dir);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.includes(" warning: "));
    expect(warnings).toHaveLength(c.warnings?.length ?? 0);
    c.warnings?.forEach((re, i) => expect(warnings[i]).toMatch(re));
    const conf = readFileSync(join(dir, "out", "nginx.conf"), "utf8");
    const t = await runCli(["test", "."], dir);
    expect(t.code).toBe(0);
    if (noNginx) return;
    const checked = nginxTest(conf);
    expect(checked.output).toContain("test is successful");
    if (!c.configs && !c.bodies) return;
    const run = await runInNginx(conf, Object.keys(c.bodies ?? {}));
    if (c.configs) {
      expect(
        run.configured.map((x) => ({ plugin: x.plugin, text: x.bytes.toString("utf8") })),
      ).toEqual(c.configs);
      for (const [i, want] of c.configs.entries())
        expect(run.configured[i]!.bytes.equals(Buffer.from(want.text, "utf8"))).toBe(true);
    }
    for (const got of run.responses) {
      expect(got.status).toBe(200);
      expect(got.body.equals(Buffer.from(c.bodies![got.path]!, "utf8"))).toBe(true);
    }
  });
});

describe("bad input: refused cases give exit 2 and one located line per problem", () => {
  it.each(refused)("$name", async (c) => {
    const dir = projectDir(c.yaml, c.files);
    const args = c.args ?? [".", "-o", "out/nginx.conf"];
    const r = await runCli(["conf", ...args], dir);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^orwasm: \d+ problems? found; nothing was written$/);
    const problems = lines.slice(0, -1).filter((l) => !l.includes(" warning: "));
    expect(problems).toHaveLength(c.problems.length);
    c.problems.forEach((re, i) => expect(problems[i]).toMatch(re));
    expect(existsSync(join(dir, "out", "nginx.conf"))).toBe(false);
    if (!c.args) {
      // orwasm test refuses the same project, with the same lines.
      const t = await runCli(["test", "."], dir);
      expect(t.code).toBe(2);
      expect(t.stderr.trimEnd().split("\n").slice(0, -1)).toEqual(lines.slice(0, -1));
    }
  });
});
