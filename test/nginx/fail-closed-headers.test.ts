// A fail-closed response-headers failure in a real nginx: the glue's ngx.exit in the header filter makes nginx drop
// the response and send its own error page, with no body filter on the route and no plugin call on that page.
import { describe, expect, it } from "vitest";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget } from "../../src/render/target.js";
import { nginxMissing, runInNginx } from "../helpers/nginx.js";
import { projectFrom } from "../helpers/project.js";
import { requireOrSkip } from "../helpers/skip.js";

const missing = nginxMissing();
const skip = requireOrSkip("nginx", !missing, missing ?? "");

const HEADERS = ["proxy_on_response_headers"];
const BODY = ["proxy_on_response_body"];

describe.skipIf(skip)(
  `a fail-closed response-headers failure in a real nginx${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    it("answers nginx's 503 page in place of the route's response; body plugins never see that page; the next responses are whole", async () => {
      const p = projectFrom(
        `plugins:
  - { name: fails_rh, file: a.wasm }
  - { name: good_rh, file: b.wasm }
  - { name: body, file: c.wasm }
servers:
  - routes:
      - { path: /bad, match: exact, respond: { body: "the route's own body\\n", headers: { x-route: "1" } }, plugins: [fails_rh, body] }
      - { path: /only-headers, match: exact, respond: { body: "secret\\n" }, plugins: [fails_rh] }
      - { path: /good, match: exact, respond: { body: "good body\\n" }, plugins: [good_rh, body] }`,
        { fails_rh: HEADERS, good_rh: HEADERS, body: BODY },
      );
      const conf = renderNginxConf(p, defaultTarget(p));
      // the route whose plugins only read response headers has no body filter at all
      const onlyHeaders = conf.slice(conf.indexOf("location = /only-headers"));
      expect(onlyHeaders.slice(0, onlyHeaders.indexOf("\n        }\n"))).not.toContain(
        "body_filter_by_lua",
      );

      const run = await runInNginx(conf, ["/bad", "/good", "/only-headers", "/bad", "/good"]);
      const [bad1, good1, onlyH, bad2, good2] = run.responses;
      for (const r of [bad1!, onlyH!, bad2!]) {
        expect(r.status).toBe(503);
        expect(r.headers.get("content-type")).toBe("text/html");
        expect(r.headers.get("x-route")).toBeNull();
        const page = r.body.toString("utf8");
        expect(page).toContain("<title>503 Service Temporarily Unavailable</title>");
        expect(page).not.toContain("the route's own body");
        expect(page).not.toContain("secret");
      }
      for (const r of [good1!, good2!]) {
        expect(r.status).toBe(200);
        expect(r.body.toString("utf8")).toBe("good body\n");
      }
      // one response-headers call per request (none on the error page), and body calls only where a body passed
      const calls = run.calls.filter((c) => c.uri !== "/");
      expect(calls.filter((c) => c.phase === "response_headers")).toEqual([
        { phase: "response_headers", plugin: "fails_rh", uri: "/bad" },
        { phase: "response_headers", plugin: "good_rh", uri: "/good" },
        { phase: "response_headers", plugin: "fails_rh", uri: "/only-headers" },
        { phase: "response_headers", plugin: "fails_rh", uri: "/bad" },
        { phase: "response_headers", plugin: "good_rh", uri: "/good" },
      ]);
      expect(calls.filter((c) => c.phase === "response_body").map((c) => c.uri)).not.toContain(
        "/bad",
      );
      expect(calls.some((c) => c.phase === "response_body" && c.uri === "/good")).toBe(true);
      expect(run.log).toContain("stub failure");
      expect(run.log).not.toMatch(/\[(alert|crit|emerg)\]/);
    }, 30_000);
  },
);
