// The Go examples, compiled from source with the machine's Go, pass their own `tests:` and smoke checks in the
// embedded host through `orwasm test`, as a user runs them; and the audit says what it should about each.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildGoFixture, haveGo } from "../fixtures/go-plugins/build.js";

const GO = haveGo();
const BUILD_TIMEOUT = 400_000;

describe.skipIf(!GO)("the Go examples under orwasm test", () => {
  for (const [name, count] of [
    ["go-headers", 4],
    ["go-auth", 6],
    ["go-http-call", 4],
  ] as const) {
    it(
      `examples/${name}: all ${count} smoke checks and tests pass in the embedded host`,
      async () => {
        await buildGoFixture(name); // warms Go's build cache once per run
        const r = await runCli(["test", `examples/${name}`]);
        expect(r.stdout + r.stderr).toContain(`${count} passed, 0 failed`);
        expect(r.code).toBe(0);
      },
      BUILD_TIMEOUT,
    );
  }

  it(
    "go-auth (Higress wasm-go) is reported with its unknown ABI 0_2_100 and the tick-period caveat, and still loads",
    async () => {
      const r = await runCli(["inspect", "examples/go-auth/build/go_auth.wasm"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("ABI:        proxy_abi_version_0_2_100 (unknown to the host)");
      expect(r.stdout).toMatch(/built by: {3}Go go1\.\d+/);
      expect(r.stdout).toContain("assumes the newest it knows, 0.2.1");
      expect(r.stdout).toContain("wrapper.RegisterTickFunc) fails its start");
    },
    BUILD_TIMEOUT,
  );

  it(
    "go-headers (proxy-wasm-go-sdk) declares ABI 0.2.0 and has no audit error",
    async () => {
      const r = await runCli(["inspect", "examples/go-headers/build/go_headers.wasm", "--json"]);
      const out = JSON.parse(r.stdout) as { abiVersion: string; ok: boolean };
      expect(out.abiVersion).toBe("proxy_abi_version_0_2_0");
      expect(out.ok).toBe(true);
    },
    BUILD_TIMEOUT,
  );
});
