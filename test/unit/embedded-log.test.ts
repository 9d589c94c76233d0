// The embedded engine's log looks like nginx's: error-log prefix and levels the smoke runner already reads.
import { describe, expect, it } from "vitest";
import { errorLogLine, routeDevLog } from "../../src/gateway/nginx-log.js";
import { levelShown } from "../../src/proxy-host/abi.js";
import { pluginStartFailure, withoutPrefix } from "../../src/smoke/start-failure.js";

describe("embedded engine log lines", () => {
  const at = new Date(2026, 10, 2, 3, 4, 5); // local time, as nginx writes it

  it("carry nginx's prefix: date, time, [level], pid#tid", () => {
    expect(errorLogLine(at, "error", 42, "boom")).toBe("2026/11/02 03:04:05 [error] 42#42: boom");
  });

  it("read by the smoke runner exactly like nginx's: prefix stripped, a plugin load failure detected by name", () => {
    const line = errorLogLine(
      at,
      "error",
      1,
      "orwasm: plugin bad failed to load from /app/plugins/bad.wasm: _start/_initialize failed: wasm trap: unreachable",
    );
    expect(withoutPrefix(line)).toBe(
      "[error] orwasm: plugin bad failed to load from /app/plugins/bad.wasm: _start/_initialize failed: wasm trap: unreachable",
    );
    expect(pluginStartFailure([line])?.message).toBe(
      "the gateway answers, but plugin bad could not be loaded or configured, so every route using it fails",
    );
  });

  it("sorts the dev server's lines: tagged ones keep their level, requests go to the access log, the rest are notices", () => {
    expect(
      routeDevLog(
        "[error] orwasm: plugin x failed to load from /a.wasm: no\n" +
          "GET /a?b=1 -> 503 (plugin) 4 ms\n" +
          "  [info] add_header: added response header x-hello: world\n" +
          "orwasm.yaml:3:5: warning: plugins.0.name: plugin x: something\n",
      ),
    ).toEqual([
      {
        stream: "error",
        level: "error",
        message: "orwasm: plugin x failed to load from /a.wasm: no",
      },
      { stream: "access", message: "GET /a?b=1 -> 503 (plugin) 4 ms" },
      {
        stream: "error",
        level: "info",
        message: "add_header: added response header x-hello: world",
      },
      {
        stream: "error",
        level: "notice",
        message: "orwasm.yaml:3:5: warning: plugins.0.name: plugin x: something",
      },
    ]);
  });

  it("are filtered by the error-log level like nginx's error_log: warn hides info and notice, shows error", () => {
    expect(levelShown("info", "warn")).toBe(false);
    expect(levelShown("notice", "warn")).toBe(false);
    expect(levelShown("warn", "warn")).toBe(true);
    expect(levelShown("error", "warn")).toBe(true);
    expect(levelShown("debug", "debug")).toBe(true);
  });
});
