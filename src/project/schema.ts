// The project file's one source of truth: every loader, renderer and the editor JSON Schema derive from it.
import { z } from "zod";
import { nameSchema, pluginConfigSchema, routePluginSchema } from "./schema-common.js";
import { deploymentSchema } from "./schema-deployment.js";
import { engineSchema } from "./schema-engine.js";
import { smokeCheckSchema } from "./schema-smoke.js";
import { pluginTestSchema } from "./schema-tests.js";

/** nginx size syntax: `8k`, `1m`, `1048576`. */
const sizeSchema = z.string().regex(/^[0-9]+[kKmMgG]?$/, "must be an nginx size such as 16k or 1m");

/** `host:port`, `[v6]:port` or `unix:/path`. */
const hostPortSchema = z
  .string()
  .regex(
    /^(unix:\/[A-Za-z0-9_./-]+|\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}|[A-Za-z0-9.-]+:[0-9]{1,5})$/,
    "must be host:port (or unix:/path)",
  );

/** The failure policy: closed answers `status` and logs why; open logs and lets the request through. */
export const failureSchema = z.union([
  z.enum(["closed", "open"]).transform((policy) => ({ policy, status: 503 })),
  z.strictObject({
    policy: z
      .enum(["closed", "open"])
      .describe("closed: answer `status` and log; open: log and continue"),
    status: z
      .int()
      .min(400)
      .max(599)
      .default(503)
      .describe("status answered when the plugin fails (policy closed)"),
  }),
]);

export const pluginBuildSchema = z.strictObject({
  lang: z
    .enum(["assemblyscript"])
    .describe("the plugin's language; only AssemblyScript is built by orwasm for now"),
  dir: z
    .string()
    .min(1)
    .default(".")
    .describe("the plugin's source folder, relative to the project file"),
  entry: z.string().default("assembly/index.ts").describe("the entry file, relative to dir"),
});

export const pluginSchema = z
  .strictObject({
    name: nameSchema.describe("unique plugin name; also the name passed to proxy_wasm.load"),
    rootId: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,128}$/, "must be 1-128 letters, digits or _ . : -")
      .optional()
      .describe(
        "the root context id the plugin registers (AssemblyScript: registerRootContext's name); wasm-nginx-module answers plugin_root_id with the name given to proxy_wasm.load, so it must match. Default: the plugin name",
      ),
    file: z.string().min(1).optional().describe("a built .wasm file, relative to the project file"),
    build: pluginBuildSchema
      .optional()
      .describe("build the plugin from source instead of naming a .wasm file"),
    config: pluginConfigSchema
      .optional()
      .describe(
        "plugin configuration: a string, or an object serialised as JSON; absent means '{}'",
      ),
    failure: failureSchema
      .default({ policy: "closed", status: 503 })
      .describe("what a failed plugin call does"),
    priority: z
      .int()
      .default(0)
      .describe("plugins on a route run from the highest priority to the lowest"),
  })
  .describe("a proxy-wasm plugin");

export const respondSchema = z.strictObject({
  status: z.int().min(100).max(599).default(200),
  body: z.string().default(""),
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name"),
      z.string(),
    )
    .default({}),
});

export const routeSchema = z.strictObject({
  path: z.string().min(1).describe("the location to match"),
  match: z.enum(["prefix", "exact", "regex"]).default("prefix"),
  upstream: nameSchema.optional().describe("proxy to this upstream (declared under `upstreams`)"),
  respond: respondSchema.optional().describe("answer a fixed response instead of proxying"),
  plugins: z
    .array(routePluginSchema)
    .default([])
    .describe("plugins that run on this route, by name"),
});

export const serverSchema = z.strictObject({
  listen: z.union([z.int().min(1).max(65535), hostPortSchema]).default(8080),
  serverName: z
    .array(z.string().regex(/^(_|[A-Za-z0-9*.-]+)$/, "must be a host name"))
    .default(["_"]),
  routes: z.array(routeSchema).min(1),
});

export const upstreamSchema = z.strictObject({
  name: nameSchema,
  servers: z.array(hostPortSchema).min(1),
  mock: z
    .enum(["echo"])
    .optional()
    .describe("in smoke, test and dev runs, orwasm's echo upstream stands in for this upstream"),
});

/** An absolute file path nginx can write a log to, of plain characters (e.g. `/dev/stdout`). */
const logPathSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9_./-]*$/, "must be an absolute path of plain characters, or off");

/** `access_log`: off, a path, or a path with an nginx log_format and a write buffer. */
export const accessLogSchema = z.union([
  z.literal("off").describe("no access log (the cheapest: no write per request)"),
  logPathSchema.describe("the file each request is logged to, in nginx's combined format"),
  z.strictObject({
    path: logPathSchema.optional().describe("the log file; defaults to the engine's (/dev/stdout)"),
    format: z
      .string()
      .min(1)
      // eslint-disable-next-line no-control-regex -- a control character cannot be written in an nginx string
      .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
      .optional()
      .describe(
        "an nginx log_format string, e.g. '$remote_addr \"$request\" $status $request_time'",
      ),
    buffer: sizeSchema
      .optional()
      .describe("collect lines in memory up to this size before writing (nginx's buffer=)"),
  }),
]);

export const gatewaySchema = z.strictObject({
  workerProcesses: z.union([z.literal("auto"), z.int().min(1)]).default("auto"),
  workerConnections: z.int().min(16).default(1024),
  requestHeadersPhase: z
    .enum(["access", "rewrite"])
    .default("access")
    .describe("the nginx phase that runs proxy_on_request_headers (and the request body)"),
  clientBodyBufferSize: sizeSchema
    .default("1m")
    .describe("request bodies up to this size stay in memory"),
  clientMaxBodySize: sizeSchema.default("1m"),
  errorLogLevel: z.enum(["debug", "info", "notice", "warn", "error", "crit"]).default("warn"),
  pluginDir: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]*$/, "must be an absolute path of plain characters")
    .optional()
    .describe("where the gateway finds the .wasm files; defaults to <prefix>/nginx/wasm"),
  accessLog: accessLogSchema
    .optional()
    .describe(
      "the access log: off, a path, or { path, format, buffer }; defaults to the engine's stdout",
    ),
});

export const projectSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: nameSchema.default("gateway"),
    engine: engineSchema.default(engineSchema.parse({})),
    gateway: gatewaySchema.default(gatewaySchema.parse({})),
    plugins: z.array(pluginSchema).default([]),
    upstreams: z.array(upstreamSchema).default([]),
    servers: z.array(serverSchema).min(1),
    smoke: z.array(smokeCheckSchema).default([]),
    tests: z
      .array(pluginTestSchema)
      .default([])
      .describe("plugin test cases for `orwasm test` (embedded host, no gateway)"),
    deployment: deploymentSchema
      .optional()
      .describe("where the gateway and its plugins are deployed (Kubernetes, Istio, Higress)"),
  })
  .describe("an orwasm gateway project");

export type ProjectInput = z.input<typeof projectSchema>;
export type ProjectData = z.output<typeof projectSchema>;
export type PluginData = z.output<typeof pluginSchema>;
export type RouteData = z.output<typeof routeSchema>;
export type GatewayData = z.output<typeof gatewaySchema>;
export type ServerData = z.output<typeof serverSchema>;
export type FailurePolicy = z.output<typeof failureSchema>;
