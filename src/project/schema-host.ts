// The `host` section: which proxy-wasm host orwasm's embedded runs (`orwasm test`, `orwasm dev`) play.
import { z } from "zod";

export const hostSchema = z.strictObject({
  profile: z
    .enum(["wasm-nginx-module", "envoy-like", "higress"])
    .default("wasm-nginx-module")
    .describe(
      "wasm-nginx-module: 0.7.0 exactly (what OpenResty runs); envoy-like: adds shared data, queues, ticks, time; higress: envoy-like plus Higress' extensions (Redis calls, cluster names, foreign functions). --profile overrides it per run",
    ),
  logLevel: z
    .enum(["trace", "debug", "info", "warn", "error", "critical"])
    .default("info")
    .describe("higress profile: the level get_log_level answers (wasm-go drops lines below it)"),
});

export type HostData = z.output<typeof hostSchema>;
