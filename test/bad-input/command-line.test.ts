// Bad command lines: prototype names are not option values, extra arguments are usage errors; one line, exit 2.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { proxyWasm } from "../helpers/wat.js";

const dir = mkdtempSync(join(tmpdir(), "orwasm-cli-"));
writeFileSync(join(dir, "orwasm.yaml"), "servers:\n  - routes: [{ path: /, respond: {} }]\n");
writeFileSync(join(dir, "p.wasm"), proxyWasm(["proxy_on_request_headers"]));

describe("bad command lines", () => {
  it.each([
    [
      ["test", ".", "--report", "constructor"],
      /^error: option '--report <format>' argument 'constructor' is invalid\. Allowed choices are text, json, junit\.$/,
    ],
    [
      ["test", ".", "--report", "__proto__"],
      /^error: option '--report <format>' argument '__proto__' is invalid\. Allowed choices are text, json, junit\.$/,
    ],
    [
      ["inspect", "p.wasm", "--host", "constructor"],
      /^error: option '--host <vm>' argument 'constructor' is invalid\. Allowed choices are wasmtime, wasmedge\.$/,
    ],
    [
      ["inspect", "p.wasm", "--host", "toString"],
      /^error: option '--host <vm>' argument 'toString' is invalid\. Allowed choices are wasmtime, wasmedge\.$/,
    ],
    [["conf", ".", "extra"], /too many arguments for 'conf'/],
    [["test", ".", "extra"], /too many arguments for 'test'/],
  ])("orwasm %j is a usage error with one clear line", async (args, line) => {
    const r = await runCli(args, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(r.stderr.split("\n")[0]).toMatch(line);
  });
});
