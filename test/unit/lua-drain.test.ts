// The reload drain in the rendered Lua runtime, run in real LuaJIT: once `orwasm reload` has written the drain file,
// a worker that started before it answers "Connection: close" on every response (routes with and without their own
// header filter); a worker started after it (the new generation) keeps connections alive.
import { describe, expect, it } from "vitest";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget, drainFile } from "../../src/render/target.js";
import { noLuajit, runLua } from "../helpers/lua-harness.js";
import { projectFrom } from "../helpers/project.js";

const YAML = `plugins:
  - { name: resp, file: r.wasm }
servers:
  - listen: 8080
    routes:
      - { path: /plain, respond: { body: ok } }
      - { path: /plugged, respond: { body: ok }, plugins: [resp] }
`;

function conf(yaml = YAML): string {
  const p = projectFrom(yaml, { resp: ["proxy_on_response_headers"] });
  return renderNginxConf(p, defaultTarget(p));
}

const REQUESTS = [{ location: '"/plain"' }, { location: '"/plugged"' }];

describe.skipIf(noLuajit)(
  `reload drain in LuaJIT${noLuajit ? ` (skipped: ${noLuajit})` : ""}`,
  () => {
    it("reads the drain file beside the pid file", () => {
      const p = projectFrom(YAML, { resp: ["proxy_on_response_headers"] });
      expect(drainFile(defaultTarget(p))).toBe("/tmp/orwasm-drain");
      expect(conf()).toContain('local DRAIN_FILE = "/tmp/orwasm-drain"');
    });

    it("a worker started before the drain began says Connection: close on every response", () => {
      // The worker started at 1000 (the harness's ngx.now()); the drain began at 1000.5.
      const run = runLua(conf(), { drainSince: 1000.5, requests: REQUESTS });
      expect(run.events.filter((e) => e === "header Connection close")).toHaveLength(2);
      expect(run.events).toContain(
        "log notice orwasm: draining: Connection: close on every response until this worker exits",
      );
      // The plugged route still ran its plugin's response-headers call.
      expect(run.events.some((e) => e.startsWith("call response_headers resp"))).toBe(true);
    });

    it("a worker started after it (the new generation), or with no drain file, keeps connections alive", () => {
      for (const drainSince of [999, undefined]) {
        const run = runLua(conf(), { drainSince, requests: REQUESTS });
        expect(run.events.filter((e) => e.startsWith("header Connection"))).toEqual([]);
        expect(run.events.some((e) => e.includes("draining"))).toBe(false);
      }
    });

    it("with gateway.drain false there is no http-level filter and no watch: a drain file changes nothing", () => {
      const off = conf(`gateway: { drain: false }\n${YAML}`);
      expect(off).not.toContain('package.loaded["orwasm.runtime"].drain()');
      expect(off).not.toContain("ngx.timer.every(0.1, check_drain)");
      const run = runLua(off, { drainSince: 1000.5, requests: REQUESTS });
      expect(run.events.filter((e) => e.startsWith("header Connection"))).toEqual([]);
      expect(run.events.some((e) => e.includes("draining"))).toBe(false);
      // the plain route has no Lua filter at all, the plugged one still runs its plugin
      expect(run.events.some((e) => e.startsWith("call response_headers resp"))).toBe(true);
    });
  },
);
