// The higress profile's host functions seen from a module: foreign functions answered as Higress/Envoy answer them,
// the Redis call without a client, and a Pause nothing will resume.
import { describe, expect, it } from "vitest";
import { HostPlugin, runRequest } from "../../src/proxy-host/index.js";
import { wat } from "../helpers/wat.js";

const head = `
  (import "env" "proxy_call_foreign_function" (func $ff (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $slr (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_redis_call" (func $redis (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "nope")
  (data (i32.const 32) "get_log_level")
  (data (i32.const 48) "outbound|6379||redis.dns")
  (data (i32.const 80) "*1\\0d\\0a$4\\0d\\0aPING\\0d\\0a")
  (func (export "proxy_abi_version_0_2_100"))
  (func (export "malloc") (param i32) (result i32) i32.const 1024)
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)`;

async function load(body: string, logLevel = 2) {
  const plugin = await HostPlugin.load({
    name: "x",
    wasm: wat(`(module ${head} ${body})`),
    profile: "higress",
    isolation: "in-thread",
    higress: {
      clusters: {
        "outbound|6379||redis.dns": { upstream: "redis", kind: "redis", server: "127.0.0.1:1" },
      },
      logLevel,
      pluginName: "x",
    },
  });
  return { plugin, ctx: await plugin.configure("{}") };
}

describe("higress host functions", () => {
  it("get_log_level answers the level as 4 little-endian bytes; an unknown foreign function is NotFound (1)", async () => {
    // answers 400 + 10 * status(nope) + status(get_log_level), with get_log_level's bytes as the body
    const { plugin, ctx } = await load(
      `
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (local $code i32)
        (local.set $code (i32.add (i32.const 400)
          (i32.add
            (i32.mul (call $ff (i32.const 16) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 200) (i32.const 204)) (i32.const 10))
            (call $ff (i32.const 32) (i32.const 13) (i32.const 0) (i32.const 0) (i32.const 208) (i32.const 212)))))
        (drop (call $slr (local.get $code) (i32.const 0) (i32.const 0)
          (i32.load (i32.const 208)) (i32.load (i32.const 212)) (i32.const 0) (i32.const 0) (i32.const -1)))
        i32.const 1)`,
      4,
    );
    try {
      const out = await runRequest([{ context: ctx }], { path: "/" });
      expect(out.response.status).toBe(410);
      expect([...out.response.body]).toEqual([4, 0, 0, 0]);
    } finally {
      await plugin.close();
    }
  });

  it("proxy_redis_call before proxy_redis_init is BadArgument (2), and a Pause with nothing pending fails the request", async () => {
    const { plugin, ctx } = await load(`
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (if (i32.ne (call $redis (i32.const 48) (i32.const 24) (i32.const 80) (i32.const 14) (i32.const 300)) (i32.const 2))
          (then unreachable))
        i32.const 1)`);
    try {
      const out = await runRequest([{ context: ctx, failure: { mode: "closed", status: 503 } }], {
        path: "/",
      });
      expect(out.response.status).toBe(503);
      expect(out.failures.map((f) => f.kind)).toEqual(["stalled"]);
      expect(out.failures[0]!.detail).toContain(
        "returned ActionPause and no call it dispatched is pending",
      );
    } finally {
      await plugin.close();
    }
  });
});
