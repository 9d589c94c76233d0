// Header maps as wasm-nginx-module 0.7.0 exposes them, observed through the probe plugin:
// pseudo headers, the module's quirks when writing them, response maps, and write-after-send.
import { beforeAll, describe, expect, it } from "vitest";
import { ascBin, buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import {
  HostPlugin,
  runRequest,
  type PluginContext,
  type RequestOutcome,
  type UpstreamResponse,
} from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);

describe.skipIf(noAsc)(`host header maps${noAsc ? ` (skipped: ${noAsc})` : ""}`, () => {
  let ctx: PluginContext;
  beforeAll(async () => {
    const plugin = await HostPlugin.load({
      name: "probe",
      wasm: await buildFixture("probe"),
      isolation: "in-thread",
    });
    ctx = await plugin.configure("headers");
  });

  const probe = (
    headers: Record<string, string>,
    path = "/p?q=1",
    upstream?: UpstreamResponse,
  ): Promise<RequestOutcome> =>
    runRequest(
      [{ context: ctx }],
      { path, authority: "example.test", headers: { "User-Agent": "t", ...headers } },
      upstream ? { upstream: () => upstream } : {},
    );
  const header = (out: RequestOutcome, name: string): string | undefined =>
    out.response.headers.find(([k]) => k === name)?.[1];
  const logged = (out: RequestOutcome, prefix: string): string | undefined =>
    out.logs.find((l) => l.message.startsWith(prefix))?.message.slice(prefix.length);

  it("request pairs: lowercased headers first, then :scheme, :path (raw, with query), :method, :authority", async () => {
    const out = await probe({ "x-probe": "pairs_req", "X-Mixed-Case": "v" });
    expect(logged(out, "probe: pairs_req ")).toBe(
      "host=example.test,user-agent=t,x-probe=pairs_req,x-mixed-case=v," +
        ":scheme=http,:path=/p?q=1,:method=GET,:authority=example.test",
    );
  });

  it("single values: pseudo headers first, then the first case-insensitive match", async () => {
    const out = await probe({ "x-probe": "get_req::path|get_req:X-PROBE|get_req:missing" });
    expect(header(out, "x-probe-result")).toBe(
      "get_req::path=0;value=/p?q=1;get_req:X-PROBE=0;value=get_req::path|get_req:X-PROBE|get_req:missing;get_req:missing=1",
    );
  });

  it("add, replace and remove change what the upstream receives", async () => {
    const out = await probe(
      { "x-probe": "add_req:x-a=1|add_req:x-a=2|replace_req:user-agent=probe|remove_req:x-probe" },
      "/",
    );
    expect(out.response.headers).toContainEqual([
      "x-probe-result",
      expect.stringMatching(/^add_req:x-a=1=0;.*remove_req:x-probe=0$/),
    ]);
    expect(out.upstreamRequest?.headers).toEqual([
      ["Host", "example.test"],
      ["User-Agent", "probe"],
      ["x-a", "1"],
      ["x-a", "2"],
    ]);
  });

  it("writing :path rewrites the upstream URI (escaped, original args kept) but :path still reads the original", async () => {
    const out = await probe({ "x-probe": "replace_req::path=/new path|get_req::path" });
    expect(header(out, "x-probe-result")).toBe(
      "replace_req::path=/new path=0;get_req::path=0;value=/p?q=1",
    );
    expect(out.upstreamRequest?.path).toBe("/new%20path?q=1");
  });

  it("writing :authority changes the METHOD (it falls into the :method branch), or fails for a host name", async () => {
    const letters = await probe({ "x-probe": "replace_req::authority=PURGE" });
    expect(header(letters, "x-probe-result")).toBe("replace_req::authority=PURGE=0");
    expect(letters.upstreamRequest?.method).toBe("PURGE");
    expect(letters.upstreamRequest?.headers).toContainEqual(["Host", "example.test"]);
    const host = await probe({ "x-probe": "replace_req::authority=other.test" });
    expect(header(host, "x-probe-result")).toBe("replace_req::authority=other.test=2");
    expect(host.logs.map((l) => l.message)).toContain(
      'failed to set request header :authority: invalid char "46"',
    );
  });

  it("removing a pseudo header is BadArgument; :scheme is not a pseudo header for writes and gets escaped", async () => {
    const out = await probe({ "x-probe": "remove_req::method|add_req::scheme=https" }, "/");
    expect(header(out, "x-probe-result")).toBe("remove_req::method=2;add_req::scheme=https=0");
    expect(out.upstreamRequest?.headers).toContainEqual(["%3Ascheme", "https"]);
    expect(out.logs.map((l) => l.message)).toContain(
      "failed to set request header :method: can't remove pseudo header",
    );
  });

  it("response headers added in the request phase reach the client; '_' in names becomes '-'", async () => {
    const out = await probe({ "x-probe": "add_resp:x_early=1" }, "/", { status: 200, body: "b" });
    expect(header(out, "x-early")).toBe("1");
  });

  it("response pairs: list headers, content-type, content-length, a synthesised connection, then :status", async () => {
    const out = await probe({ "x-probe-response": "pairs_resp" }, "/", {
      status: 201,
      headers: { "Content-Type": "text/plain", "Content-Length": "2", "X-Up": "u", Server: "up" },
      body: "hi",
    });
    expect(logged(out, "probe: pairs_resp ")).toBe(
      "x-up=u,content-type=text/plain,content-length=2,connection=keep-alive,:status=201",
    );
  });

  it("the response :status can be replaced in header_filter; a non-number is BadArgument", async () => {
    const out = await probe(
      { "x-probe-response": "replace_resp::status=418|replace_resp::status=abc|get_resp::status" },
      "/",
      {
        status: 200,
      },
    );
    expect(header(out, "x-probe-response-result")).toBe(
      "replace_resp::status=418=0;replace_resp::status=abc=2;get_resp::status=0;value=418",
    );
    expect(out.response.status).toBe(418);
  });

  it("response headers written from proxy_on_response_body return Ok but change nothing (lua-nginx-module declines)", async () => {
    const out = await probe({ "x-probe-response-body": "add_resp:x-late=1" }, "/", {
      status: 200,
      body: "x",
    });
    expect(logged(out, "probe: response body results ")).toBe("add_resp:x-late=1=0");
    expect(header(out, "x-late")).toBeUndefined();
    expect(out.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        source: "host",
        message: "attempt to set ngx.header.HEADER after sending out response headers",
      }),
    );
  });

  it("trailer maps are Unimplemented; header maps need a request (BadArgument outside one is covered by configure)", async () => {
    const out = await probe({ "x-probe": "pairs_trailers|pairs_call" }, "/");
    expect(header(out, "x-probe-result")).toBe("pairs_trailers=12;pairs_call=1");
  });

  it("the response body callback sees each chunk and then an empty last buffer with end_of_stream", async () => {
    const out = await probe({}, "/", { status: 200, body: "hello" });
    const bodyLines = out.logs
      .filter((l) => l.message.startsWith("probe: response body "))
      .map((l) => l.message);
    expect(bodyLines).toEqual([
      "probe: response body 5 bytes, end 0",
      "probe: response body 0 bytes, end 1",
    ]);
  });

  it("properties: nginx variables by name, plugin_root_id = load name, unknown → NotFound, set needs a declared variable", async () => {
    const out = await runRequest([{ context: ctx }], {
      path: "/v?id=7",
      headers: {
        "x-probe":
          "property:plugin_root_id|property:arg_id|property:request_uri|property:request.path|set_property:my_var=hi|property:my_var|set_property:uri=/x|set_property:nope=1",
      },
      variables: { my_var: "" },
    });
    expect(header(out, "x-probe-result")).toBe(
      [
        "property:plugin_root_id=0;value=probe",
        "property:arg_id=0;value=7",
        "property:request_uri=0;value=/v?id=7",
        "property:request.path=1",
        "set_property:my_var=hi=0",
        "property:my_var=0;value=hi",
        "set_property:uri=/x=10",
        "set_property:nope=1=1",
      ].join(";"),
    );
  });

  it("send_local_response in header_filter: its headers are added, its status and body are dropped", async () => {
    const out = await probe({ "x-probe-response": "local:418:teapot" }, "/", {
      status: 200,
      body: "up",
    });
    expect(header(out, "x-probe-response-result")).toBe("local=0");
    expect(out.response).toMatchObject({ status: 200, text: "up", source: "upstream" });
    expect(header(out, "x-local")).toBe("yes");
  });

  it("buffer type 0 (request body) read in the response body callback returns the response chunk", async () => {
    const out = await probe({ "x-probe-response-body": "body" }, "/", {
      status: 200,
      body: "chunk",
    });
    expect(out.logs.map((l) => l.message)).toContain("probe: body chunk");
  });

  it("more than 20 response headers: only nginx's last list part is serialised, the rest are empty pairs", async () => {
    const upstreamHeaders = Array.from({ length: 25 }, (_, i): [string, string] => [`h${i}`, "v"]);
    const out = await probe({ "x-probe-response": "pairs_resp" }, "/", {
      status: 200,
      headers: upstreamHeaders,
    });
    // ngx_http_wasm_resp_get_headers counts all 25 + connection + :status = 27 pairs but, reusing
    // the last list part, writes h20..h24 and the two synthesised pairs; 20 zeroed pairs follow
    const written = "h20=v,h21=v,h22=v,h23=v,h24=v,connection=keep-alive,:status=200";
    expect(logged(out, "probe: pairs_resp ")).toBe(written + ",=".repeat(20));
  });
});
