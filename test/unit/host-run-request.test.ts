// runRequest drives a location's plugin chain like the rendered nginx.conf: request headers and
// body in priority order until someone answers, the upstream, then header_filter and body_filter
// over every plugin of the route (also for a local response).
import { beforeAll, describe, expect, it } from "vitest";
import { ascBin, buildExample, buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import { HostPlugin, runRequest, type ChainEntry } from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);

describe.skipIf(noAsc)(`runRequest over a chain${noAsc ? ` (skipped: ${noAsc})` : ""}`, () => {
  let chain: ChainEntry[];
  beforeAll(async () => {
    const [addHeader, denyList, probe] = await Promise.all([
      buildExample("add-header"),
      buildExample("deny-list"),
      buildFixture("probe"),
    ]);
    const load = async (name: string, wasm: Uint8Array, config: string) =>
      (await HostPlugin.load({ name, wasm, isolation: "in-thread" })).configure(config);
    chain = [
      { context: await load("add_header", addHeader, "A") },
      {
        context: await load(
          "deny_list",
          denyList,
          JSON.stringify({ deny: ["/admin"], body: "no" }),
        ),
      },
      { context: await load("probe", probe, "P") },
    ];
  });

  it("a local response stops the request phases, but header_filter still runs every plugin on it", async () => {
    const out = await runRequest(chain, {
      path: "/admin",
      headers: { "x-probe": "continue_stream", "x-probe-response": "get_resp::status" },
    });
    expect(out.response).toMatchObject({ status: 403, text: "no", source: "local-response" });
    expect(out.phases.map((p) => `${p.plugin}:${p.phase}`)).toEqual([
      "deny_list:request_headers",
      "add_header:response_headers",
      "probe:response_headers",
      "probe:response_body",
      "probe:response_body",
    ]);
    expect(out.response.headers).toContainEqual(["x-hello", "A"]);
    expect(out.response.headers).toContainEqual([
      "x-probe-response-result",
      "get_resp::status=0;value=403",
    ]);
    expect(out.response.headers.find(([k]) => k === "x-probe-result")).toBeUndefined();
  });

  it("plugins see each other's changes: a request header added by one is read by the next", async () => {
    const [first, second] = await Promise.all(
      ["first", "second"].map(async (name) => {
        const plugin = await HostPlugin.load({
          name: "probe",
          wasm: await buildFixture("probe"),
          isolation: "in-thread",
        });
        return { context: await plugin.configure(name) };
      }),
    );
    const out = await runRequest([first!, second!], {
      path: "/",
      headers: { "x-probe": "get_req:x-seen|add_req:x-seen=yes" },
    });
    // x-probe-result is a response header added by both: the first saw nothing, the second "yes"
    expect(out.response.headers.filter(([k]) => k === "x-probe-result")).toEqual([
      ["x-probe-result", "get_req:x-seen=1;add_req:x-seen=yes=0"],
      ["x-probe-result", "get_req:x-seen=0;value=yes;add_req:x-seen=yes=0"],
    ]);
    expect(out.upstreamRequest?.headers.filter(([k]) => k === "x-seen")).toEqual([
      ["x-seen", "yes"],
      ["x-seen", "yes"],
    ]);
  });

  it("a local response with an empty body is nginx's own error page for that status", async () => {
    const out = await runRequest([chain[2]!], { path: "/", headers: { "x-probe": "local:404:" } });
    expect(out.response).toMatchObject({
      status: 404,
      nginxErrorPage: true,
      source: "local-response",
    });
    expect(out.response.text).toBe(
      "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n" +
        "<center><h1>404 Not Found</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n",
    );
    expect(out.response.headers).toContainEqual(["Content-Type", "text/html"]);
    expect(out.response.headers).toContainEqual(["x-local", "yes"]);
  });

  it("a printed local response without Content-Type gets nginx's default_type", async () => {
    const out = await runRequest(
      [chain[2]!],
      { path: "/", headers: { "x-probe": "local:200:hi" } },
      {
        defaultType: "application/octet-stream",
      },
    );
    expect(out.response).toMatchObject({ status: 200, text: "hi" });
    expect(out.response.headers).toContainEqual(["Content-Type", "application/octet-stream"]);
  });

  it("the request body reaches proxy_on_request_body whole, with end_of_stream, and then the upstream", async () => {
    const out = await runRequest(
      [chain[2]!],
      { method: "POST", path: "/", headers: { "x-probe-body": "body" } },
      { body: "hello", upstream: (r) => ({ status: 200, body: new TextDecoder().decode(r.body) }) },
    );
    const lines = out.logs.map((l) => l.message);
    expect(lines).toContain("probe: request body 5 bytes, end 1");
    expect(lines).toContain("probe: body hello");
    expect(out.response.text).toBe("hello");
  });

  it("no body, no request-body callback", async () => {
    const out = await runRequest([chain[2]!], { method: "POST", path: "/" });
    expect(out.phases.map((p) => p.phase)).not.toContain("request_body");
  });
});
