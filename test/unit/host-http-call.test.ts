// proxy_http_call as wasm-nginx-module 0.7.0 + its Lua driver perform it: only from request
// phases, upstream = host[:port], one pending call, the callback on the ROOT context, and the
// request going on (or answering locally) afterwards.
import { beforeAll, describe, expect, it } from "vitest";
import { ascBin, buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import {
  HostPlugin,
  recordingDispatcher,
  runRequest,
  type HttpCallResponse,
  type RequestOutcome,
} from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);

describe.skipIf(noAsc)(`host http calls${noAsc ? ` (skipped: ${noAsc})` : ""}`, () => {
  let probe: Uint8Array;
  beforeAll(async () => {
    probe = await buildFixture("probe");
  });

  const setup = async (respond?: (url: string) => HttpCallResponse | undefined) => {
    const rec = recordingDispatcher((req) =>
      respond ? respond(req.url) : { status: 200, body: "pong" },
    );
    const plugin = await HostPlugin.load({
      name: "probe",
      wasm: probe,
      isolation: "in-thread",
      dispatcher: rec.dispatch,
    });
    const ctx = await plugin.configure("calls");
    const run = (headers: Record<string, string>): Promise<RequestOutcome> =>
      runRequest(
        [{ context: ctx }],
        { path: "/", headers },
        { upstream: () => ({ status: 200, body: "up" }) },
      );
    return { rec, run };
  };
  const header = (out: RequestOutcome, name: string): string | undefined =>
    out.response.headers.find(([k]) => k === name)?.[1];
  const messages = (out: RequestOutcome): string[] => out.logs.map((l) => l.message);

  it("sends the plugin's request to scheme://upstream + :path with :authority as host, then runs the callback", async () => {
    const { rec, run } = await setup((url) => ({
      status: 201,
      headers: { "X-Reply": "r" },
      body: url === "http://127.0.0.1:8080/cb" ? "pong" : "wrong url",
    }));
    const out = await run({ "x-probe": "http_call:127.0.0.1:8080" });
    expect(rec.calls).toEqual([
      {
        plugin: "probe",
        calloutId: expect.any(Number),
        upstream: "127.0.0.1:8080",
        url: "http://127.0.0.1:8080/cb",
        method: "POST",
        headers: [
          ["host", "svc.local"],
          ["x-a", "1"],
        ],
        body: new TextEncoder().encode("ping"),
        timeoutMs: 500,
      },
    ]);
    expect(header(out, "x-probe-result")).toBe("http_call=0");
    // the callback read :status and the body, and the request then went on to the upstream
    expect(header(out, "x-call-status")).toBe("201 pong");
    expect(out.response).toMatchObject({ status: 200, text: "up", source: "upstream" });
    expect(messages(out)).toContain("probe: call response headers=2 body_size=4 status=201");
    expect(out.httpCalls).toHaveLength(1);
  });

  it("the callback is invoked with the root context id (1), not the http context id", async () => {
    const { run } = await setup();
    const out = await run({ "x-probe": "http_call:upstream.local" });
    expect(
      messages(out).some((m) => m.startsWith("context id: 1: onHttpCallResponse(token: ")),
    ).toBe(true);
  });

  it("callout ids come from one counter starting at 0", async () => {
    const { rec, run } = await setup();
    await run({ "x-probe": "http_call:a.local" });
    await run({ "x-probe": "http_call:a.local" });
    expect(rec.calls.map((c) => c.calloutId)).toEqual([0, 1]);
  });

  it("a second call while one is pending is InternalFailure (10): 'multiple calls are not supported'", async () => {
    const { rec, run } = await setup();
    const out = await run({ "x-probe": "http_call_twice:a.local" });
    expect(header(out, "x-probe-result")).toBe("first=0;second=10");
    expect(messages(out)).toContain("multiple calls are not supported");
    expect(rec.calls).toHaveLength(1);
  });

  it("an upstream that is a URL, not host[:port], is BadArgument (2)", async () => {
    const { rec, run } = await setup();
    const out = await run({ "x-probe": "http_call:http://a.local/x" });
    expect(header(out, "x-probe-result")).toBe("http_call=2");
    expect(messages(out)).toContain("http call gets invalid host: http://a.local/x");
    expect(rec.calls).toEqual([]);
  });

  it("from header_filter the call is BadArgument: only rewrite/access/content/timer can yield", async () => {
    const { rec, run } = await setup();
    const out = await run({ "x-probe-response": "http_call:a.local" });
    expect(header(out, "x-probe-response-result")).toBe("http_call=2");
    expect(messages(out)).toContain("http call is only supported during processing HTTP request");
    expect(rec.calls).toEqual([]);
  });

  it("a failed call still runs the callback, with no headers and no body", async () => {
    const { run } = await setup(() => undefined);
    const out = await run({ "x-probe": "http_call:down.local" });
    expect(messages(out)).toContain("http call failed: no response, uri: http://down.local/cb");
    expect(messages(out)).toContain("probe: call response headers=0 body_size=0 status=");
    expect(out.response.status).toBe(200);
  });

  it("a local response sent from the callback answers the request instead of the upstream", async () => {
    const { run } = await setup(() => ({ status: 403 }));
    const out = await run({
      "x-probe": "http_call:auth.local",
      "x-probe-callback": "local:401:denied by auth",
    });
    expect(out.response).toMatchObject({
      status: 401,
      text: "denied by auth",
      source: "local-response",
    });
    expect(out.response.headers).toContainEqual(["x-local", "yes"]);
    expect(out.upstreamRequest).toBeUndefined();
  });

  it("the call response headers stay readable in later phases of the same request (map type 6)", async () => {
    const { run } = await setup(() => ({ status: 202, headers: { "x-reply": "kept" } }));
    const out = await run({
      "x-probe": "http_call:a.local",
      "x-probe-response": "get_call:x-reply",
    });
    expect(header(out, "x-probe-response-result")).toBe("get_call:x-reply=0;value=kept");
  });
});
