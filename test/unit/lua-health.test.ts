// The health listener's Lua (deployment.kubernetes.health), run in real LuaJIT: ready only when every plugin of every
// worker loaded and configured, with the reasons in the body otherwise.
import { describe, expect, it } from "vitest";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget } from "../../src/render/target.js";
import { hex, noLuajit, runLua } from "../helpers/lua-harness.js";
import { projectFrom } from "../helpers/project.js";

const YAML = `plugins:
  - { name: good, file: g.wasm }
  - { name: bad, file: b.wasm }
servers:
  - listen: 8080
    routes: [{ path: /, respond: {}, plugins: [good, bad] }]
deployment:
  kubernetes: {}
`;

function conf(): string {
  const p = projectFrom(YAML, { good: ["proxy_on_request_headers"], bad: [] });
  return renderNginxConf(p, defaultTarget(p));
}

const READY = { location: "= /orwasm/ready" };

describe.skipIf(noLuajit)(
  `health listener Lua in LuaJIT${noLuajit ? ` (skipped: ${noLuajit})` : ""}`,
  () => {
    it("renders the listener on deployment.kubernetes.health.port and leaves it out without that section", () => {
      expect(conf()).toMatch(/listen 8099;\s+location = \/orwasm\/ready/);
      const plain = projectFrom(YAML.replace(/deployment:[\s\S]*$/, ""), {});
      const text = renderNginxConf(plain, defaultTarget(plain));
      expect(text).not.toContain("orwasm_health");
      expect(text).not.toContain("/orwasm/ready");
    });

    it("answers 200 with the counts when every plugin loaded and configured", () => {
      const run = runLua(conf(), { requests: [READY] });
      expect(run.events).toContain("status 200");
      expect(run.events).toContain(`print ${hex("ready: 1 workers, 2 plugins, 2 contexts\n")}`);
      expect(run.events).toContain(
        "log notice orwasm: worker 0 ready: every plugin loaded and configured",
      );
    });

    it("answers 503 naming the plugin that failed to load and why", () => {
      const run = runLua(conf(), { loadFails: ["bad"], requests: [READY] });
      expect(run.events).toContain("status 503");
      expect(run.events).toContain(
        `print ${hex("not ready:\nworker 0: plugin bad failed to load from /usr/local/openresty/nginx/wasm/bad.wasm: failed to load wasm plugin\n")}`,
      );
    });

    it("a plugin whose load crashes the worker: the respawned worker skips it and is not ready, saying so", () => {
      const run = runLua(conf(), { crashLoads: ["bad"], requests: [READY] });
      // One crash, then the worker nginx starts in its place loads the others and answers.
      expect(run.events.filter((e) => e === "crash bad")).toHaveLength(1);
      expect(run.events.filter((e) => e === "respawn")).toHaveLength(1);
      expect(run.events).toContain(
        "log err orwasm: plugin bad failed to load from /usr/local/openresty/nginx/wasm/bad.wasm: the worker loading or configuring it crashed (the engine's log says why)",
      );
      expect(run.events).toContain("status 503");
      expect(run.events).toContain(
        `print ${hex("not ready:\nworker 0: plugin bad failed to load from /usr/local/openresty/nginx/wasm/bad.wasm: the worker loading or configuring it crashed (the engine's log says why)\n")}`,
      );
    });

    it("answers 503 for a rejected configuration", () => {
      const run = runLua(conf(), { configureFails: ["good"], requests: [READY] });
      expect(run.events).toContain("status 503");
      expect(run.events).toContain(
        `print ${hex("not ready:\nworker 0: plugin good rejected its configuration: failed to run proxy_on_configure\n")}`,
      );
    });

    it("is not ready while a worker of this generation has not recorded its load results", () => {
      const run = runLua(conf(), { workerCount: 2, requests: [READY] });
      expect(run.events).toContain("status 503");
      expect(run.events).toContain(`print ${hex("not ready:\nworker 1: not started yet\n")}`);
    });

    it("answers liveness whatever the plugins did", () => {
      const run = runLua(conf(), {
        loadFails: ["bad", "good"],
        requests: [{ location: "= /orwasm/live" }],
      });
      expect(run.events).toContain(`print ${hex("alive\n")}`);
      expect(run.events.some((e) => e.startsWith("status 5"))).toBe(false);
    });
  },
);
