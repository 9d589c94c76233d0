// `orwasm smoke` refuses bad invocations before touching Docker: exit 2 with a message that says what to do.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "orwasm-smoke-cli-"));
  await writeFile(
    join(dir, "orwasm.yaml"),
    `servers: [{ listen: 8080, routes: [{ path: /, respond: { body: ok } }] }]
smoke: [{ name: ok, expect: { status: 200 } }]
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("orwasm smoke usage", () => {
  it("--image and --engine-image together are refused (exit 2)", async () => {
    const r = await runCli(["smoke", dir, "--image", "a", "--engine-image", "b"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--image.*cannot be used with.*--engine-image/);
  });
  it("an unknown report format lists the ones there are (exit 2)", async () => {
    const r = await runCli(["smoke", dir, "--report", "html", "--image", "a"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are text, json, junit");
  });
  it("a start timeout that is not a positive number is refused (exit 2)", async () => {
    const r = await runCli(["smoke", dir, "--image", "a", "--start-timeout", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "option '--start-timeout <seconds>' argument 'soon' is invalid. It must be a whole number of seconds, at least 1.",
    );
  });
  it("a report format that is only a name on Object's prototype is refused (exit 2)", async () => {
    const r = await runCli(["smoke", dir, "--image", "a", "--report", "constructor"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Allowed choices are text, json, junit.");
  });
  it("--help teaches with examples and the exit codes", async () => {
    const r = await runCli(["smoke", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Exit codes: 0 every check passed, 1 a check failed");
    expect(r.stdout).toContain(
      "$ orwasm smoke --engine-image my-openresty-wasm:1.0 --report junit -o smoke.xml",
    );
  });
});
