// The host drives real AssemblyScript plugins (the repository's examples and the probe fixture)
// through wasm-nginx-module's lifecycle: load, configure, per-request contexts, done/delete.
import { beforeAll, describe, expect, it } from "vitest";
import { ascBin, buildExample, buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import {
  HostPlugin,
  PluginConfigureError,
  runRequest,
  type LogEntry,
} from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);
const messages = (logs: LogEntry[]): string[] => logs.map((l) => l.message);

describe.skipIf(noAsc)(
  `host lifecycle with real plugins${noAsc ? ` (skipped: ${noAsc})` : ""}`,
  () => {
    let addHeader: Uint8Array;
    let denyList: Uint8Array;
    let probe: Uint8Array;
    beforeAll(async () => {
      [addHeader, denyList, probe] = await Promise.all([
        buildExample("add-header"),
        buildExample("deny-list"),
        buildFixture("probe"),
      ]);
    });

    it("add-header adds x-hello with its configuration to the upstream's response and logs it at info", async () => {
      const plugin = await HostPlugin.load({
        name: "add_header",
        wasm: addHeader,
        isolation: "in-thread",
      });
      const ctx = await plugin.configure("hello");
      const out = await runRequest(
        [{ context: ctx }],
        { path: "/" },
        {
          upstream: () => ({ status: 200, headers: { "content-type": "text/plain" }, body: "ok" }),
        },
      );
      expect(out.response.status).toBe(200);
      expect(out.response.headers).toContainEqual(["x-hello", "hello"]);
      expect(out.response.text).toBe("ok");
      const line = out.logs.find(
        (l) => l.message === "add_header: added response header x-hello: hello",
      );
      expect(line).toMatchObject({
        level: "info",
        proxyLevel: "info",
        source: "plugin",
        plugin: "add_header",
      });
    });

    it.each(["worker", "in-thread"] as const)(
      "with requestLogLevel a request keeps only the lines at that level or above (%s), as nginx's error_log",
      async (isolation) => {
        const levels = async (requestLogLevel?: "info" | "warn") => {
          const plugin = await HostPlugin.load({
            name: "add_header",
            wasm: addHeader,
            isolation,
            ...(requestLogLevel ? { requestLogLevel } : {}),
          });
          try {
            const ctx = await plugin.configure("hello");
            const out = await runRequest([{ context: ctx }], { path: "/" });
            expect(out.response.headers).toContainEqual(["x-hello", "hello"]);
            return {
              request: [...new Set(out.logs.map((l) => l.level))].sort(),
              configure: [...new Set(ctx.configureLogs.map((l) => l.level))].sort(),
              lines: messages(out.logs),
            };
          } finally {
            await plugin.close();
          }
        };
        // the SDK writes debug lines on every request, the module info lines, the plugin one info line
        const all = await levels();
        expect(all.request).toEqual(["debug", "info"]);
        const info = await levels("info");
        expect(info.request).toEqual(["info"]);
        expect(info.lines).toContain("add_header: added response header x-hello: hello");
        const warn = await levels("warn");
        expect(warn.request).toEqual([]);
        // loading and configuring are not requests: their lines are all kept
        expect(warn.configure).toEqual(all.configure);
        expect(warn.configure).toContain("debug");
      },
    );

    it("a chain in worker threads behaves exactly like one in the caller's thread", async () => {
      const run = async (isolation: "worker" | "in-thread") => {
        const a = await HostPlugin.load({ name: "add_header", wasm: addHeader, isolation });
        const p = await HostPlugin.load({
          name: "probe",
          wasm: probe,
          isolation,
          dispatcher: () => ({ status: 202, body: "called" }),
        });
        const chain = [{ context: await a.configure("same") }, { context: await p.configure("p") }];
        const out = await runRequest(
          chain,
          {
            path: "/a?b=c",
            headers: {
              "x-probe": "add_req:x-in=1|http_call:svc.local|replace_req::path=/rewritten",
              "x-probe-response": "replace_resp::status=299|remove_resp:x-up",
            },
          },
          { upstream: () => ({ status: 200, headers: { "x-up": "u" }, body: "body" }) },
        );
        await Promise.all([a.close(), p.close()]);
        return {
          response: { ...out.response, body: undefined },
          upstream: out.upstreamRequest,
          logs: messages(out.logs),
          failures: out.failures,
        };
      };
      const [worker, inThread] = [await run("worker"), await run("in-thread")];
      expect(worker.response.status).toBe(299);
      expect(worker.response.headers).toContainEqual(["x-hello", "same"]);
      expect(worker.response.headers).toContainEqual(["x-call-status", "202 called"]);
      expect(worker.upstream?.path).toBe("/rewritten?b=c");
      expect(worker).toEqual(inThread);
    });

    it("contexts: root id 1 at configure, http context 2 created lazily, done+delete at request end, id 2 reused", async () => {
      const plugin = await HostPlugin.load({
        name: "add_header",
        wasm: addHeader,
        isolation: "in-thread",
      });
      const ctx = await plugin.configure("x");
      expect(ctx.rootId).toBe(1);
      expect(messages(ctx.configureLogs)).toContain("create plugin context 1");
      const first = await runRequest([{ context: ctx }], { path: "/" });
      const m = messages(first.logs);
      expect(m.indexOf("create http context 2")).toBeGreaterThan(-1);
      expect(m.indexOf("context id: 2: onDone()")).toBeGreaterThan(
        m.indexOf("create http context 2"),
      );
      expect(m.indexOf("context id: 2: onDelete()")).toBeGreaterThan(
        m.indexOf("context id: 2: onDone()"),
      );
      expect(m.at(-1)).toBe("free http context 2");
      // ngx_http_wasm_create_http_ctx takes the freed context back from the queue
      const second = await runRequest([{ context: ctx }], { path: "/" });
      expect(messages(second.logs)).toContain("create http context 2");
    });

    it("deny-list answers the configured status and body for a denied prefix without calling the upstream", async () => {
      const plugin = await HostPlugin.load({
        name: "deny_list",
        wasm: denyList,
        isolation: "in-thread",
      });
      const ctx = await plugin.configure(
        JSON.stringify({ deny: ["/admin"], status: 451, body: "nope" }),
      );
      const seen: string[] = [];
      const upstream = (r: { path: string }) => {
        seen.push(r.path);
        return { status: 200, body: "hello" };
      };
      const denied = await runRequest(
        [{ context: ctx }],
        { path: "/admin/users?x=1" },
        { upstream },
      );
      expect(denied.response).toMatchObject({
        status: 451,
        text: "nope",
        source: "local-response",
      });
      // the plugin's local-response header sets Content-Type; the Lua driver prints the body
      expect(denied.response.headers).toContainEqual(["Content-Type", "text/plain; charset=utf-8"]);
      expect(denied.upstreamRequest).toBeUndefined();
      const allowed = await runRequest([{ context: ctx }], { path: "/public" }, { upstream });
      expect(allowed.response).toMatchObject({ status: 200, text: "hello", source: "upstream" });
      expect(seen).toEqual(["/public"]);
    });

    it("an empty configuration is rejected before the plugin runs, like the Lua driver's 'bad conf'", async () => {
      const plugin = await HostPlugin.load({ name: "probe", wasm: probe, isolation: "in-thread" });
      await expect(plugin.configure("")).rejects.toThrow(/bad conf/);
      await expect(plugin.configure("")).rejects.toBeInstanceOf(PluginConfigureError);
    });

    it("a configuration the plugin refuses (proxy_on_configure returns false) fails with the plugin's error log", async () => {
      const plugin = await HostPlugin.load({ name: "probe", wasm: probe, isolation: "in-thread" });
      const err = await plugin.configure("reject").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PluginConfigureError);
      expect((err as Error).message).toMatch(
        /failed to run proxy_on_configure.*probe: rejecting the configuration/,
      );
      expect(messages((err as PluginConfigureError).logs)).toContain(
        "failed to configure plugin context 1, rc: 0",
      );
    });

    it("proxy_get_configuration is empty while the root context is created and holds the config in proxy_on_configure", async () => {
      const plugin = await HostPlugin.load({ name: "probe", wasm: probe, isolation: "in-thread" });
      const ctx = await plugin.configure("abc");
      expect(messages(ctx.configureLogs)).toContain("probe: configure size=3 rc=0 config=abc");
    });

    it("the plugin name must match the SDK's root id: plugin_root_id answers the load name, an unknown one aborts", async () => {
      const plugin = await HostPlugin.load({
        name: "not_probe",
        wasm: probe,
        isolation: "in-thread",
      });
      const err: unknown = await plugin.configure("x").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PluginConfigureError);
      const logs = messages((err as PluginConfigureError).logs).join("\n");
      expect(logs).toContain("Missing root context factory for root id: not_probe");
      // the SDK's abort handler calls proc_exit(255): the call fails and the context is not created
      expect(logs).toContain("Exited with i32 exit status 255");
      expect(logs).toContain("failed to create context 1, rc: -1");
    });

    it("the configuration stays readable in request callbacks (buffer type 7 returns it whole)", async () => {
      const plugin = await HostPlugin.load({ name: "probe", wasm: probe, isolation: "in-thread" });
      const ctx = await plugin.configure("the-config");
      const out = await runRequest([{ context: ctx }], {
        path: "/",
        headers: { "x-probe": "config_buffer" },
      });
      expect(out.response.headers).toContainEqual([
        "x-probe-result",
        "config_buffer=0;config=the-config",
      ]);
    });

    it("a closed plugin is not silently recreated: its streams fail", async () => {
      const plugin = await HostPlugin.load({
        name: "add_header",
        wasm: addHeader,
        isolation: "in-thread",
      });
      const ctx = await plugin.configure("x");
      await plugin.close();
      const result = await ctx.newHttpContext({ path: "/" }).onResponseHeaders({ status: 200 });
      expect(result.outcome).toMatchObject({
        kind: "failed",
        failure: {
          kind: "crash",
          detail: expect.stringContaining("plugin add_header was closed"),
        },
      });
    });
  },
);
