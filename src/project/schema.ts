// The project file's one source of truth: every loader, renderer and the editor JSON Schema derive from it.
import { z } from "zod";
import { DEFAULT_FAILURE_STATUS } from "../proxy-host/run-request.js";
import { nameSchema, pluginConfigSchema, routePluginSchema } from "./schema-common.js";
import { deploymentSchema } from "./schema-deployment.js";
import { engineSchema } from "./schema-engine.js";
import { portProblem, serverNameProblem } from "./nginx-values.js";
import { hostSchema } from "./schema-host.js";
import { smokeCheckSchema } from "./schema-smoke.js";
import { pluginTestSchema } from "./schema-tests.js";

/** nginx size syntax: `8k`, `1m`, `1048576`. */
const sizeSchema = z
  .string()
  .regex(/^[0-9]+[kKmMgG]?$/, "must be an nginx size such as 16k or 1m")
  .refine((v) => {
    const mult = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[v.slice(-1).toLowerCase()] ?? 1;
    return Number.parseInt(v, 10) * mult <= 2 ** 53;
  }, "is larger than nginx can hold (at most 2^53 bytes)");

/** `host:port`, `[v6]:port` or `unix:/path`. */
const hostPortSchema = z
  .string()
  .regex(
    /^(unix:\/[A-Za-z0-9_./-]+|\[[0-9A-Fa-f:.]+\]:[0-9]{1,5}|[A-Za-z0-9.-]+:[0-9]{1,5})$/,
    "must be host:port (or unix:/path)",
  )
  .max(300, "is too long for a host name and port (a DNS name has at most 253 characters)")
  .superRefine((value, ctx) => {
    const why = portProblem(value);
    if (why) ctx.addIssue({ code: "custom", message: why });
  });

/** `plugins[].image`: an oci:// URL with a tag, a manifest digest, or both (parsed in full by src/oci/reference.ts). */
const OCI_URL_PATTERN = /^oci:\/\/[^\s/@]+\/[^\s@]+(@sha256:[0-9a-f]{64})?$/;

/** The failure policy: closed answers `status` and logs why; open logs and lets the request through. */
export const failureSchema = z.union([
  z.enum(["closed", "open"]).transform((policy) => ({ policy, status: DEFAULT_FAILURE_STATUS })),
  z.strictObject({
    policy: z
      .enum(["closed", "open"])
      .describe("closed: answer `status` and log; open: log and continue"),
    status: z
      .int()
      .min(400)
      .max(599)
      .default(DEFAULT_FAILURE_STATUS)
      .describe("status answered when the plugin fails (policy closed)"),
  }),
]);

const buildDirSchema = z
  .string()
  .min(1)
  .default(".")
  .describe("the plugin's source folder, relative to the project file");

/** An AssemblyScript plugin, compiled with the asc its package.json pins. */
export const assemblyScriptBuildSchema = z.strictObject({
  lang: z.literal("assemblyscript").describe("AssemblyScript on @solo-io/proxy-runtime"),
  dir: buildDirSchema,
  entry: z.string().default("assembly/index.ts").describe("the entry file, relative to dir"),
});

/** A Go plugin, compiled with the machine's Go 1.24+ (GOOS=wasip1 -buildmode=c-shared). */
export const goBuildSchema = z.strictObject({
  lang: z
    .literal("go")
    .describe("Go (proxy-wasm-go-sdk or Higress wasm-go), built with the standard Go toolchain"),
  dir: buildDirSchema.describe(
    "the Go module folder (holds go.mod and go.sum), relative to the project file",
  ),
  package: z
    .string()
    .regex(
      /^\.(\/[A-Za-z0-9_./-]+)?$|^[A-Za-z0-9_][A-Za-z0-9_./-]*$/,
      "must be a package folder inside dir, such as . or ./cmd/plugin",
    )
    .refine((s) => !s.split("/").includes(".."), "must stay inside dir")
    .default(".")
    .describe("the main package to build, relative to dir"),
});

export const pluginBuildSchema = z.discriminatedUnion("lang", [
  assemblyScriptBuildSchema,
  goBuildSchema,
]);

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
    image: z
      .string()
      .regex(
        OCI_URL_PATTERN,
        "must be oci://REGISTRY/REPO:TAG, oci://REGISTRY/REPO@sha256:<64 hex> or both (REPO:TAG@sha256:...)",
      )
      .optional()
      .describe(
        "the plugin as an OCI image (pushed by `orwasm plugin push`, Higress or any Istio-readable layout): oci://REGISTRY/REPO:TAG@sha256:DIGEST, the digest being the image manifest's. A tag without a digest is pinned by `orwasm lock`",
      ),
    build: pluginBuildSchema
      .optional()
      .describe("build the plugin from source instead of naming a .wasm file"),
    config: pluginConfigSchema
      .optional()
      .describe(
        "plugin configuration: a string, or an object serialised as JSON; absent means '{}'",
      ),
    failure: failureSchema
      .default({ policy: "closed", status: DEFAULT_FAILURE_STATUS })
      .describe("what a failed plugin call does"),
    priority: z
      .int()
      .default(0)
      .describe("plugins on a route run from the highest priority to the lowest (within a phase)"),
    phase: z
      .enum(["authn", "authz", "stats"])
      .optional()
      .describe(
        "where the plugin sits in the chain, as Istio and Higress place it: authn plugins run first, then authz, then stats, then plugins without a phase; priority orders plugins within a phase. On OpenResty this is the order on a route (every plugin still runs its callbacks in the usual nginx phases)",
      ),
  })
  .describe("a proxy-wasm plugin");

export const respondSchema = z.strictObject({
  status: z
    .int()
    .min(200, "must be a final status (200-599): a fixed response cannot be informational (1xx)")
    .max(599)
    .default(200),
  body: z.string().default(""),
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name"),
      z.string().regex(
        // eslint-disable-next-line no-control-regex -- matching control characters is the point
        /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/,
        "must not contain CR, LF or other control bytes (they would end or split the header)",
      ),
    )
    .default({}),
});

export const routeSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.:/-]{1,253}$/, "must be 1-253 letters, digits or _ . : / -")
    .optional()
    .describe(
      "higress profile: the route_name property (what wasm-go's _rules_ _match_route_ matches); default: the path",
    ),
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
    .array(
      z
        .string()
        .regex(/^(_|[A-Za-z0-9*.-]+)$/, "must be a host name")
        .superRefine((name, ctx) => {
          const why = serverNameProblem(name);
          if (why) ctx.addIssue({ code: "custom", message: `server name '${name}' ${why}` });
        }),
    )
    .default(["_"]),
  routes: z.array(routeSchema).min(1),
});

/** Higress cluster names: `outbound|6379||redis.dns`, an FQDN cluster, a Kubernetes service, a static IP... */
const clusterNameSchema = z
  .string()
  .regex(/^[^?\s]+$/, "must be a cluster name without spaces or `?` parameters")
  .describe("a Higress cluster name, as the plugin passes it (without `?db=` parameters)");

export const upstreamSchema = z.strictObject({
  name: nameSchema,
  servers: z.array(hostPortSchema).min(1),
  protocol: z
    .enum(["http", "redis"])
    .default("http")
    .describe(
      "http: proxied and reachable by proxy_http_call; redis: a Redis server plugins reach with proxy_redis_call (higress profile)",
    ),
  clusters: z
    .array(clusterNameSchema)
    .default([])
    .describe(
      "Higress cluster names that mean this upstream (higress profile), e.g. outbound|6379||redis.dns, outbound|6379||redis.default.svc.cluster.local, outbound|6379||redis.static; the upstream's name also works as a cluster name",
    ),
  redis: z
    .strictObject({
      username: z.string().optional().describe("ACL user orwasm seeds and checks keys as"),
      password: z.string().optional().describe("password orwasm seeds and checks keys with"),
    })
    .optional()
    .describe(
      "how orwasm itself logs in to seed and check keys in tests (the plugin sends its own credentials at proxy_redis_init)",
    ),
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
  drain: z
    .boolean()
    .default(true)
    .describe(
      "`orwasm reload` drains the old workers (Connection: close) before nginx reloads; costs a Lua header filter on every route and a 0.1 s timer per worker. false: no drain, reloads may drop a request per keep-alive connection",
    ),
  resolver: z
    .array(
      z
        .string()
        .regex(
          /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
          "must be an address: 10.0.0.2, dns.local, [fd00::53] or any of these with :port",
        )
        .max(300),
    )
    .min(1)
    .optional()
    .describe(
      "DNS servers for the names plugins' http calls reach (nginx `resolver`): lua-resty-http cannot resolve a callout host such as authz:9000 without one; `orwasm smoke` on an engine image uses Docker's 127.0.0.11 when unset",
    ),
});

export const projectSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: nameSchema.default("gateway"),
    engine: engineSchema.default(engineSchema.parse({})),
    host: hostSchema
      .default(hostSchema.parse({}))
      .describe("orwasm's embedded host for `orwasm test` and `orwasm dev`"),
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
export type PluginBuildData = z.output<typeof pluginBuildSchema>;
export type FailurePolicy = z.output<typeof failureSchema>;
