// The Lua glue in the rendered nginx.conf, executed by real LuaJIT against recording stubs of ngx and resty.proxy-wasm.
import { mkdtempSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget } from "../../src/render/target.js";
import { hex, noLuajit, runLua, unhex } from "../helpers/lua-harness.js";
import { projectFrom } from "../helpers/project.js";

function conf(yaml: string, exports: Record<string, string[]>): string {
  const p = projectFrom(yaml, exports);
  return renderNginxConf(p, defaultTarget(p));
}

const RESP = ["proxy_on_response_headers"];
const REQ = ["proxy_on_request_headers"];

describe.skipIf(noLuajit)(
  `rendered Lua glue run in LuaJIT${noLuajit ? ` (skipped: ${noLuajit})` : ""}`,
  () => {
    it("delivers hostile config strings to on_configure byte for byte", () => {
      const hostile = [
        'quote " and backslash \\ and \\n literal',
        "line one\nline two\r\nthree\rfour",
        "long ]] bracket ]=] and ]==] and [[ open",
        "nul \u0000 byte and tab \t and bell \u0007",
        "non-ASCII: héllo wörld 日本語 🚀",
        "braces } { and $var and ; and # and -- comment",
        "unbalanced }}} close",
        "\n leading newline",
      ];
      const yaml = [
        "plugins:",
        ...hostile.map((c, i) => `  - { name: p${i}, file: p.wasm, config: ${JSON.stringify(c)} }`),
        "servers:",
        "  - routes:",
        `      - { path: /, respond: { body: ok }, plugins: [${hostile.map((_, i) => `p${i}`).join(", ")}] }`,
      ].join("\n");
      const run = runLua(conf(yaml, Object.fromEntries(hostile.map((_, i) => [`p${i}`, RESP]))));
      const configured = run.events.filter((e) => e.startsWith("configure "));
      expect(configured).toEqual(hostile.map((c, i) => `configure p${i} ${hex(c)}`));
    });

    it("serialises object configs as JSON and passes {} when config is absent", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: obj, file: p.wasm, config: { deny: ["/admin"], status: 403, "we\\"ird": "]]" } }
  - { name: none, file: p.wasm }
servers:
  - routes: [{ path: /, respond: {}, plugins: [obj, none] }]`,
          { obj: REQ, none: REQ },
        ),
      );
      expect(run.events).toContain(
        `configure obj ${hex('{"deny":["/admin"],"status":403,"we\\"ird":"]]"}')}`,
      );
      expect(run.events).toContain(`configure none ${hex("{}")}`);
    });

    it("configures each distinct (plugin, config) once per worker and never during requests", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: a, file: a.wasm, config: one }
servers:
  - routes:
      - { path: /x, respond: {}, plugins: [a] }
      - { path: /y, respond: {}, plugins: [a] }
      - { path: /z, respond: {}, plugins: [{ name: a, config: two }] }`,
          { a: REQ },
        ),
        {
          requests: Array.from({ length: 50 }, (_, i) => ({
            location: ['"/x"', '"/y"', '"/z"'][i % 3]!,
          })),
        },
      );
      expect(run.events.filter((e) => e.startsWith("load "))).toEqual([
        "load a /usr/local/openresty/nginx/wasm/a.wasm",
      ]);
      expect(run.events.filter((e) => e.startsWith("configure "))).toEqual([
        `configure a ${hex("one")}`,
        `configure a ${hex("two")}`,
      ]);
      expect(run.events.filter((e) => e.startsWith("call request_headers"))).toHaveLength(50);
      const firstRequest = run.events.indexOf('request "/x"');
      expect(run.events.slice(firstRequest).some((e) => e.startsWith("configure"))).toBe(false);
    });

    it("loads a plugin under its root id, which the plugin reads back as plugin_root_id", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: add_header, rootId: my_root, file: p.wasm }
servers:
  - routes: [{ path: /, respond: {}, plugins: [add_header] }]`,
          { add_header: RESP },
        ),
      );
      expect(run.events).toContain("load my_root /usr/local/openresty/nginx/wasm/add_header.wasm");
    });

    it("runs plugins in priority order, highest first, ties in route order", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: low, file: p.wasm, priority: 1 }
  - { name: high, file: p.wasm, priority: 100 }
  - { name: tie1, file: p.wasm, priority: 50 }
  - { name: tie2, file: p.wasm, priority: 50 }
servers:
  - routes: [{ path: /, respond: {}, plugins: [low, tie2, tie1, high] }]`,
          { low: REQ, high: REQ, tie1: REQ, tie2: REQ },
        ),
        { requests: [{ location: '"/"' }] },
      );
      const calls = run.events
        .filter((e) => e.startsWith("call request_headers"))
        .map((e) => e.split(" ")[2]);
      expect(calls).toEqual(["high", "tie2", "tie1", "low"]);
    });

    it("runs plugins by phase first (authn, authz, stats, then none), by priority within a phase", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: plain, file: p.wasm, priority: 1000 }
  - { name: stats, file: p.wasm, phase: stats, priority: 500 }
  - { name: authz, file: p.wasm, phase: authz }
  - { name: authn_low, file: p.wasm, phase: authn, priority: 1 }
  - { name: authn_high, file: p.wasm, phase: authn, priority: 9 }
servers:
  - routes: [{ path: /, respond: {}, plugins: [plain, stats, authz, authn_low, authn_high] }]`,
          { plain: REQ, stats: REQ, authz: REQ, authn_low: REQ, authn_high: REQ },
        ),
        { requests: [{ location: '"/"' }] },
      );
      const calls = run.events
        .filter((e) => e.startsWith("call request_headers"))
        .map((e) => e.split(" ")[2]);
      expect(calls).toEqual(["authn_high", "authn_low", "authz", "stats", "plain"]);
    });

    it("survives wasm.load returning nil at start-up, then fails requests closed with the configured status", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: gone, file: p.wasm, failure: { policy: closed, status: 502 } }
servers:
  - routes: [{ path: /, respond: { body: secret }, plugins: [gone] }]`,
          { gone: REQ },
        ),
        { loadFails: ["gone"], requests: [{ location: '"/"' }] },
      );
      expect(
        run.events.some((e) => e.startsWith("log err orwasm: plugin gone failed to load")),
      ).toBe(true);
      expect(run.events.filter((e) => e.startsWith("configure"))).toEqual([]);
      expect(run.events).toContain("exit 502");
      expect(
        run.events.some((e) =>
          e.startsWith(
            "log err orwasm: plugin gone failed in request headers (fail-closed, answering 502)",
          ),
        ),
      ).toBe(true);
      expect(run.events.filter((e) => e.startsWith("print"))).toEqual([]); // the fixed response never ran
    });

    it("lets the request through a fail-open plugin that failed and logs a warning", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: flaky, file: p.wasm, failure: open, priority: 2 }
  - { name: next, file: p.wasm, priority: 1 }
servers:
  - routes: [{ path: /, respond: { body: served }, plugins: [flaky, next] }]`,
          { flaky: REQ, next: REQ },
        ),
        { callFails: ["flaky:request_headers"], requests: [{ location: '"/"' }] },
      );
      expect(
        run.events.some((e) =>
          e.startsWith(
            "log warn orwasm: plugin flaky failed in request headers (fail-open, continuing): boom",
          ),
        ),
      ).toBe(true);
      expect(run.events).toContain(`call request_headers next ${hex("")}`);
      expect(run.events).toContain(`print ${hex("served")}`);
      expect(run.events.some((e) => e.startsWith("exit"))).toBe(false);
    });

    it("treats a plugin that rejected its configuration as failed on every request", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: picky, file: p.wasm }
servers:
  - routes: [{ path: /, respond: {}, plugins: [picky] }]`,
          { picky: REQ },
        ),
        { configureFails: ["picky"], requests: [{ location: '"/"' }] },
      );
      expect(
        run.events.some((e) =>
          e.startsWith("log err orwasm: plugin picky rejected its configuration"),
        ),
      ).toBe(true);
      expect(run.events).toContain("exit 503");
    });

    it("stops at a plugin's local response: later plugins never run", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: deny, file: p.wasm, priority: 10 }
  - { name: after, file: p.wasm }
servers:
  - routes: [{ path: /, respond: {}, plugins: [deny, after] }]`,
          { deny: REQ, after: REQ },
        ),
        { localResponse: { deny: 403 }, requests: [{ location: '"/"' }] },
      );
      expect(run.events).toContain("exit 403");
      expect(run.events.some((e) => e.startsWith("call request_headers after"))).toBe(false);
    });

    it("reads the request body only for plugins exporting proxy_on_request_body, from memory or the spilled file", () => {
      const spilled = `${mkdtempSync("/tmp/orwasm-body-")}/body`;
      writeFileSync(spilled, "spilled \u0000 body");
      const text = conf(
        `plugins:
  - { name: hdr, file: p.wasm, priority: 2 }
  - { name: body, file: p.wasm, priority: 1 }
servers:
  - routes:
      - { path: /b, respond: {}, plugins: [hdr, body] }
      - { path: /h, respond: {}, plugins: [hdr] }`,
        { hdr: REQ, body: [...REQ, "proxy_on_request_body"] },
      );
      const run = runLua(text, {
        requests: [
          { location: '"/b"', body: "in memory" },
          { location: '"/b"', bodyFile: spilled },
          { location: '"/b"' },
          { location: '"/h"', body: "never read" },
        ],
      });
      const bodyCalls = run.events.filter((e) => e.startsWith("call request_body"));
      expect(bodyCalls).toEqual([
        `call request_body body ${hex("in memory")}`,
        `call request_body body ${hex("spilled \u0000 body")}`,
      ]);
      expect(run.events.filter((e) => e === "read_body")).toHaveLength(3); // not for /h
      const [hdrCall, bodyCall] = [
        run.events.indexOf(`call request_headers hdr ${hex("")}`),
        run.events.indexOf(bodyCalls[0]!),
      ];
      expect(hdrCall).toBeLessThan(bodyCall); // all request headers first, then the body
    });

    it("ends the response with nginx's error page for the policy status when a fail-closed response-headers plugin fails, with no body filter and no second call", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: rh, file: p.wasm, failure: { policy: closed, status: 500 } }
servers:
  - routes: [{ path: /, respond: {}, plugins: [rh] }]`,
          { rh: RESP },
        ),
        {
          callFails: ["rh:response_headers"],
          requests: [{ location: '"/"', chunks: ["secret upstream ", "data"] }],
        },
      );
      const after = run.events.slice(run.events.indexOf('request "/"'));
      // the plugin's failure is the header filter's ngx.exit(500); nginx's page then passes the filter untouched
      expect(
        after.filter(
          (e) => e.startsWith("call ") || e.startsWith("exit") || e.startsWith("finalize"),
        ),
      ).toEqual([`call response_headers rh ${hex("")}`, "exit 500", "finalize 500"]);
      // a route with only response-header plugins has no body filter: nothing of the upstream body is touched by Lua
      expect(run.events.some((e) => e.startsWith("body "))).toBe(false);
    });

    it("keeps response-body plugins off nginx's error page after a fail-closed response-headers failure, and on every other response", () => {
      const run = runLua(
        conf(
          `plugins:
  - { name: bad, file: p.wasm }
  - { name: rb, file: p.wasm }
servers:
  - routes:
      - { path: /bad, respond: {}, plugins: [bad, rb] }
      - { path: /good, respond: {}, plugins: [rb] }`,
          { bad: RESP, rb: ["proxy_on_response_body"] },
        ),
        {
          callFails: ["bad:response_headers"],
          requests: [
            { location: '"/bad"', chunks: ["secret ", "data"] },
            { location: '"/good"', chunks: ["first ", "response"] },
            { location: '"/bad"', chunks: ["more secret"] },
            { location: '"/good"', chunks: ["second"] },
          ],
        },
      );
      const seen = run.events
        .filter(
          (e) =>
            e.startsWith("request ") || e.startsWith("body ") || e.startsWith("call response_body"),
        )
        .map((e) =>
          e.startsWith("body ")
            ? `body ${unhex(e.slice(5))}`
            : e.startsWith("call")
              ? "rb called"
              : e,
        );
      expect(seen).toEqual([
        'request "/bad"',
        "body <nginx error page 503>",
        'request "/good"',
        "rb called",
        "body first ",
        "rb called",
        "body response",
        'request "/bad"',
        "body <nginx error page 503>",
        'request "/good"',
        "rb called",
        "body second",
      ]);
    });

    it("aborts the response when a fail-closed response-body plugin fails, and ignores a fail-open one", () => {
      const yaml = (policy: string) => `plugins:
  - { name: rb, file: p.wasm, failure: ${policy} }
servers:
  - routes: [{ path: /, respond: {}, plugins: [rb] }]`;
      const closed = runLua(conf(yaml("closed"), { rb: ["proxy_on_response_body"] }), {
        callFails: ["rb:response_body"],
        requests: [{ location: '"/"' }],
      });
      expect(closed.events).toContain("filter-return NGX_ERROR");
      const open = runLua(conf(yaml("open"), { rb: ["proxy_on_response_body"] }), {
        callFails: ["rb:response_body"],
        requests: [{ location: '"/"' }],
      });
      expect(open.events.some((e) => e.startsWith("filter-return"))).toBe(false);
      expect(open.events).toContain(`body ${hex("upstream body")}`);
    });

    it("answers a fixed response whose body and headers reach the client byte for byte", () => {
      const body = 'a "quoted" $not_a_var ]] \u0000 end\n';
      const run = runLua(
        conf(
          `servers:
  - routes: [{ path: /, respond: { status: 418, body: ${JSON.stringify(body)}, headers: { x-odd: "v\\"]]" } } }]`,
          {},
        ),
        { requests: [{ location: '"/"' }] },
      );
      expect(run.events).toContain("status 418");
      expect(run.events).toContain('header x-odd v"]]');
      expect(run.events).toContain(`print ${hex(body)}`);
    });
  },
);
