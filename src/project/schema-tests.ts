// The `tests` section: plugin test cases run by `orwasm test` in the embedded host, with no gateway and no network.
import { z } from "zod";
import { routePluginSchema } from "./schema-common.js";
import { bodyExpectSchema, headerExpectSchema, requestSchema } from "./schema-smoke.js";

const headersSchema = z.record(z.string(), z.string()).default({});

/** A canned answer: what the upstream (or an http_call's target) replies. */
export const cannedResponseSchema = z.strictObject({
  status: z.int().min(100).max(599).default(200),
  headers: headersSchema,
  body: z.string().default(""),
});

/** Redis around one test case (higress profile): keys set before, keys checked after, a fault in between. */
export const testRedisSchema = z.strictObject({
  upstream: z
    .string()
    .optional()
    .describe("the Redis upstream (default: the project's only upstream with protocol: redis)"),
  seed: z
    .record(z.string(), z.string())
    .default({})
    .describe("keys SET before the case (every key named in seed or expect is deleted first)"),
  expect: z
    .record(z.string(), z.union([z.string(), z.null()]))
    .default({})
    .describe(
      "keys read back after the case with a separate connection; null: the key must not exist",
    ),
  fault: z
    .union([
      z.literal("down").describe("nothing listens where the plugins' Redis calls go"),
      z.strictObject({
        delayMs: z.int().min(1).max(60_000).describe("every Redis reply is held back this long"),
      }),
    ])
    .optional()
    .describe("make Redis unreachable or slow for this case, to exercise the plugin's error path"),
});

export const pluginTestSchema = z.strictObject({
  name: z.string().min(1),
  plugins: z
    .array(routePluginSchema)
    .min(1)
    .describe(
      "the plugins to run, as on a route (priority order applies); per-test config overrides allowed",
    ),
  request: requestSchema.omit({ server: true }).default({ method: "GET", path: "/", headers: {} }),
  upstream: cannedResponseSchema
    .optional()
    .describe("what the upstream answers (default: orwasm's echo of the request it got)"),
  httpCalls: z
    .record(z.string(), cannedResponseSchema)
    .default({})
    .describe(
      "canned answers to proxy_http_call, keyed by the upstream `host:port` the plugin calls",
    ),
  redis: testRedisSchema
    .optional()
    .describe(
      "Redis keys to seed and check, and faults (higress profile, a protocol: redis upstream)",
    ),
  expect: z.strictObject({
    status: z.int().min(100).max(599).optional(),
    headers: z
      .record(z.string(), headerExpectSchema)
      .default({})
      .describe("response headers the client gets"),
    body: bodyExpectSchema.optional(),
    upstreamHeaders: z
      .record(z.string(), headerExpectSchema)
      .default({})
      .describe("request headers the upstream got"),
    reachedUpstream: z
      .boolean()
      .optional()
      .describe("false: a plugin answered before the upstream was called"),
    logs: z
      .array(
        z.strictObject({
          level: z.enum(["debug", "info", "notice", "warn", "error", "crit"]).optional(),
          matches: z.string(),
        }),
      )
      .default([])
      .describe("log lines that must appear (regular expressions)"),
    httpCalls: z
      .array(
        z.strictObject({
          upstream: z.string(),
          method: z.string().optional(),
          path: z.string().optional(),
          headers: z.record(z.string(), headerExpectSchema).default({}),
        }),
      )
      .optional()
      .describe("the http_calls the plugins made, in order"),
  }),
});

export type PluginTestData = z.output<typeof pluginTestSchema>;
