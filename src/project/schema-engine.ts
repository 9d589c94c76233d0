// The `engine` section: which OpenResty, module and VM the gateway image is built from (or an existing image).
import { z } from "zod";

/** A release version: digits and dots (the upstream URL patterns put it in file names). */
const versionSchema = z.string().regex(/^[0-9]+(\.[0-9]+)*$/, "must be a version such as 1.2.3");

/**
 * Compiler/linker option text lands in build.sh (shell-quoted there too): no quotes, `$`, backticks,
 * `;`, `|`, `&`, `\`, redirections or newlines, so what is written is what the compiler sees.
 */
const optionTextSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_./:,+@%= -]*$/,
    "may hold only letters, digits, spaces and _ . / : , + @ % = - (no quotes, $, `, ;, |, &, \\ or newlines)",
  );

/** One `./configure` flag: `--name` or `--name=value`, value of plain characters. */
export const configureFlagSchema = z
  .string()
  .regex(
    /^--[a-z0-9][a-z0-9_-]*(=[A-Za-z0-9_./:,+@%=-]*)?$/,
    "must be one ./configure flag such as --with-http_slice_module or --add-module=/path (plain characters only; no spaces, quotes or $)",
  );

export const configureSchema = z.strictObject({
  preset: z
    .enum(["default", "minimal"])
    .default("default")
    .describe(
      "default: the docker-openresty-like module set (ssl, v2, realip, stream, ...); minimal: ssl and pcre-jit only",
    ),
  extraFlags: z
    .array(configureFlagSchema)
    .default([])
    .describe("more ./configure flags, appended after the preset"),
  ccOpt: optionTextSchema
    .default("-DNGX_LUA_ABORT_AT_PANIC")
    .describe("--with-cc-opt (build.sh knob cc_opt)"),
  ldOpt: optionTextSchema
    .default("")
    .describe("--with-ld-opt, after the VM library rpath orwasm adds (build.sh knob ld_opt)"),
  luajitXcflags: optionTextSchema
    .default("-DLUAJIT_NUMMODE=2 -DLUAJIT_ENABLE_LUA52COMPAT")
    .describe("--with-luajit-xcflags (build.sh knob luajit_xcflags)"),
  debug: z.boolean().default(false).describe("build nginx --with-debug (build.sh knob debug_args)"),
});

/** A mirror: an http(s) base URL or a folder (relative to the project file); artifacts are looked up by file name. */
const mirrorSchema = z
  .string()
  .min(1)
  .regex(
    /^(https?:\/\/[A-Za-z0-9._~:/@%+-]+|[A-Za-z0-9_./-]+)$/,
    "must be an http(s) URL or a folder path of plain characters",
  );

export const engineSchema = z.strictObject({
  vm: z
    .enum(["wasmtime", "wasmedge"])
    .default("wasmtime")
    .describe("the wasm VM wasm-nginx-module runs plugins in"),
  image: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, "must be a docker image reference")
    .optional()
    .describe("an existing engine image to build on instead of building OpenResty"),
  prefix: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]*$/, "must be an absolute path of plain characters")
    .default("/usr/local/openresty")
    .describe("OpenResty's install prefix"),
  openresty: versionSchema.default("1.21.4.2").describe("OpenResty version"),
  wasmNginxModule: versionSchema.default("0.7.0").describe("api7/wasm-nginx-module version"),
  wasmtime: versionSchema
    .default("0.38.1")
    .describe(
      "wasmtime C API version (wasm-nginx-module links it whichever VM is selected; 0.7.0 pins 0.38.1)",
    ),
  wasmedge: versionSchema.default("0.10.0").describe("WasmEdge version, used when vm is wasmedge"),
  luaRestyHttp: versionSchema
    .default("0.17.2")
    .describe("ledgetech/lua-resty-http version installed into the prefix's lualib"),
  configure: configureSchema
    .default(configureSchema.parse({}))
    .describe("how OpenResty is configured"),
  mirror: mirrorSchema
    .optional()
    .describe(
      "where to get source artifacts instead of upstream: a folder or base URL holding them by file name",
    ),
  lockfile: z
    .string()
    .regex(/^[A-Za-z0-9_./-]+$/, "must be a path of plain characters")
    .default("orwasm.lock")
    .describe("the lockfile pinning every artifact's sha256, relative to the project file"),
  baseImage: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, "must be a docker image reference")
    .default("debian:bookworm-slim")
    .describe("the Debian bookworm image the engine is built on and runs on"),
});

export type EngineData = z.output<typeof engineSchema>;
export type ConfigureData = z.output<typeof configureSchema>;
