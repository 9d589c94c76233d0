// Three places where the embedded host now does what wasm-nginx-module 0.7.0 does (read in its C source):
// one callout-id counter per nginx worker, local-response codes read back signed, and proxy_http_call with
// no headers crashing the worker. And: a crash or hang is never absorbed by a failure policy.
import { beforeAll, describe, expect, it } from "vitest";
import { buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import { ascBin } from "../fixtures/host-plugins/build.js";
import {
  HostPlugin,
  NginxWorker,
  recordingDispatcher,
  runRequest,
  type ChainEntry,
  type RequestOutcome,
} from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);
const header = (out: RequestOutcome, name: string): string | undefined =>
  out.response.headers.find(([k]) => k.toLowerCase() === name)?.[1];
const messages = (out: RequestOutcome): string[] => out.logs.map((l) => l.message);

describe.skipIf(noAsc)(`the module's own behaviour${noAsc ? ` (skipped: ${noAsc})` : ""}`, () => {
  let probe: Uint8Array;
  beforeAll(async () => {
    probe = await buildFixture("probe");
  });
  const load = async (name: string, worker?: NginxWorker, failure?: ChainEntry["failure"]) => {
    const rec = recordingDispatcher(() => ({ status: 200, body: "pong" }));
    const plugin = await HostPlugin.load({
      name: "probe",
      wasm: probe,
      isolation: "in-thread",
      dispatcher: rec.dispatch,
      ...(worker ? { worker } : {}),
    });
    const entry: ChainEntry = { context: await plugin.configure(name), name };
    if (failure) entry.failure = failure;
    return { entry, rec };
  };
  const upstreamSeen: string[] = [];
  const run = (chain: ChainEntry[], headers: Record<string, string>): Promise<RequestOutcome> =>
    runRequest(
      chain,
      { path: "/f", headers },
      {
        upstream: (r) => {
          upstreamSeen.push(r.path);
          return { status: 200, body: "upstream" };
        },
      },
    );

  // ngx_http_wasm_call.c: `static uint32_t cur_callout_id = 0;` ... `*callout_id = cur_callout_id; cur_callout_id++;`
  it("callout ids come from one counter per nginx worker: a second plugin's first call gets id 1", async () => {
    const worker = new NginxWorker();
    const a = await load("a", worker);
    const b = await load("b", worker);
    const first = await run([a.entry], { "x-probe": "http_call_id:a.local" });
    const second = await run([b.entry], { "x-probe": "http_call_id:b.local" });
    const third = await run([a.entry, b.entry], { "x-probe": "http_call_id:c.local" });
    expect(header(first, "x-probe-result")).toBe("http_call=0;callout=0");
    expect(header(second, "x-probe-result")).toBe("http_call=0;callout=1");
    // both plugins on one request: each registers its own call, ids 2 and 3, and each call is sent
    expect(
      third.response.headers.filter(([k]) => k === "x-probe-result").map(([, v]) => v),
    ).toEqual(["http_call=0;callout=2", "http_call=0;callout=3"]);
    expect(messages(second)).toContain("register http call callout id: 1, host: b.local");
    expect([...a.rec.calls, ...b.rec.calls].map((c) => c.calloutId).sort()).toEqual([0, 1, 2, 3]);
  });

  it("plugins in different workers count separately", async () => {
    const a = await load("a", new NginxWorker());
    const b = await load("b", new NginxWorker());
    expect(
      header(await run([a.entry], { "x-probe": "http_call_id:a.local" }), "x-probe-result"),
    ).toBe("http_call=0;callout=0");
    expect(
      header(await run([b.entry], { "x-probe": "http_call_id:b.local" }), "x-probe-result"),
    ).toBe("http_call=0;callout=0");
  });

  // ngx_http_wasm_module.h `uint32_t code;` and ngx_http_wasm_handle_rc_before_proxy `int32_t code = wmcf->code;`
  for (const code of [2147483648, 4294967295]) {
    it(`a local response with code ${code} (>= 2^31, negative once read back signed) is ignored: the request goes on`, async () => {
      const { entry } = await load("local");
      upstreamSeen.length = 0;
      const out = await run([entry], { "x-probe": `local:${code}:nope` });
      expect(header(out, "x-probe-result")).toBe("local=0");
      expect(out.response).toMatchObject({ status: 200, text: "upstream", source: "upstream" });
      expect(upstreamSeen).toEqual(["/f"]);
      // proxy_send_local_response added its headers before the code was looked at
      expect(header(out, "x-local")).toBe("yes");
    });
  }

  it("a local response with code 2^31 - 1 is still answered (positive when read back)", async () => {
    const { entry } = await load("local");
    const out = await run([entry], { "x-probe": "local:2147483647:big" });
    expect(out.response.source).toBe("local-response");
    expect(out.phases[0]?.outcome).toMatchObject({ kind: "local-response", status: 2147483647 });
  });

  // ngx_http_wasm_api.c:proxy_http_call keeps headers = NULL when headers_size is 0; Lua's send_http_call then
  // calls ngx_http_wasm_call_max_headers_count -> proxy_wasm_map_init_iter(&it, NULL): *(int32_t *) NULL
  it("proxy_http_call with no headers returns Ok, then crashes the worker when the call is sent", async () => {
    const { entry, rec } = await load("bare", undefined, { mode: "open" });
    upstreamSeen.length = 0;
    const out = await run([entry], { "x-probe": "http_call_noheaders:a.local" });
    expect(out.fatal).toMatchObject({ kind: "crash", phase: "request_headers" });
    expect(out.fatal?.detail).toContain("no headers");
    expect(rec.calls).toEqual([]);
    expect(upstreamSeen).toEqual([]);
    expect(out.response).toMatchObject({ status: 502, source: "fatal" });
    expect(out.response.text).toMatch(
      /^orwasm: would crash the nginx worker: plugin probe, request_headers: /,
    );
  });

  it("with one header the same call is sent (the crash is the empty map, not the raw import)", async () => {
    const { entry, rec } = await load("one");
    const out = await run([entry], { "x-probe": "http_call_id:a.local" });
    expect(out.fatal).toBeUndefined();
    expect(rec.calls.map((c) => c.url)).toEqual(["http://a.local/id"]);
  });
});

describe.skipIf(noAsc)(
  `crashes and hangs are never absorbed by a failure policy${noAsc ? ` (skipped: ${noAsc})` : ""}`,
  () => {
    let probe: Uint8Array;
    beforeAll(async () => {
      probe = await buildFixture("probe");
    });
    const cases = [
      {
        what: "Pause (1) with no pending http call",
        probe: "ret:1",
        kind: "crash",
        text: "would crash the nginx worker",
      },
      {
        what: "a return code of 2",
        probe: "ret:2",
        kind: "hang",
        text: "would hang the nginx worker",
      },
      {
        what: "a return code of 99",
        probe: "ret:99",
        kind: "hang",
        text: "would hang the nginx worker",
      },
    ] as const;
    for (const c of cases)
      for (const mode of ["open", "closed"] as const)
        it(`${c.what} under fail-${mode}: 502 from orwasm, upstream not reached, logged at error`, async () => {
          const plugin = await HostPlugin.load({
            name: "probe",
            wasm: probe,
            isolation: "in-thread",
          });
          const context = await plugin.configure("fatal");
          let reached = false;
          const out = await runRequest(
            [{ context, name: "guard", failure: { mode, status: 503 } }],
            { path: "/", headers: { "x-probe": c.probe } },
            { upstream: () => ((reached = true), { status: 200, body: "up" }) },
          );
          expect(out.fatal?.kind).toBe(c.kind);
          expect(reached).toBe(false);
          expect(out.response).toMatchObject({ status: 502, source: "fatal" });
          expect(out.response.text).toContain(c.text);
          expect(out.logs).toContainEqual(
            expect.objectContaining({
              level: "error",
              message: expect.stringContaining(
                `orwasm: plugin guard failed in request headers: ${c.text}: `,
              ),
            }),
          );
          expect(
            messages(out).some((m) => m.includes("fail-open") || m.includes("fail-closed")),
          ).toBe(false);
        });

    it("returning 100 or more is a local response, not a hang (lib/resty/proxy-wasm.lua: rc >= 100 -> ngx.exit(rc))", async () => {
      const plugin = await HostPlugin.load({ name: "probe", wasm: probe, isolation: "in-thread" });
      const context = await plugin.configure("fatal");
      const out = await runRequest([{ context }], { path: "/", headers: { "x-probe": "ret:100" } });
      expect(out.fatal).toBeUndefined();
      expect(out.phases[0]?.outcome).toMatchObject({ kind: "local-response", status: 100 });
    });
  },
);
