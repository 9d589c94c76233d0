// Renders build.sh: the standalone, verifying OpenResty + wasm-nginx-module build script. Pure.
import { compileTemplate } from "../render/handlebars-env.js";
import type { EngineData } from "../project/schema-engine.js";
import { artifactSpec, type Arch, type ArtifactName } from "./artifacts.js";
import { CONFIGURE_PRESETS } from "./configure-presets.js";
import type { ResolvedArtifact } from "./resolve.js";
import { shellQuote } from "./shell-quote.js";

/** What build.sh is rendered from. */
export interface BuildScriptInput {
  engine: EngineData;
  /** Every artifact with its pin (see resolveArtifacts); unpinned ones are listed and refused by the script. */
  artifacts: ResolvedArtifact[];
  /** How the header names the project file (a path relative to where the script is written reads best). */
  projectLabel: string;
  /** The mirror as the script should use it (absolute folder or base URL), if any. */
  mirror?: string;
}

/** Bash variable holding each artifact's version, as the knobs at the top of the script name them. */
const VERSION_VARS: Record<ArtifactName, string> = {
  openresty: "OR_VER",
  "wasm-nginx-module": "WNM_VER",
  "wasmtime-c-api": "WASMTIME_VER",
  wasmedge: "WASMEDGE_VER",
  "lua-resty-http": "LUA_RESTY_HTTP_VER",
};

/** The script text; every project value in it is validated by the schema and shell-quoted here as well. */
export function renderBuildScript(input: BuildScriptInput): string {
  const { engine, artifacts } = input;
  const c = engine.configure;
  const wasmedge = engine.vm === "wasmedge";
  // File names and URLs come from the same patterns `orwasm lock` uses, with the versions left to bash.
  const fetched = (name: ArtifactName, perArch: boolean) => {
    const spec = artifactSpec(
      name,
      `\${${VERSION_VARS[name]}}`,
      perArch ? ("${arch}" as Arch) : undefined,
    );
    return { file: spec.file, url: spec.url };
  };
  const view = {
    projectLabel: oneLine(input.projectLabel),
    vm: engine.vm,
    wasmedge,
    versions: {
      openresty: engine.openresty,
      wnm: engine.wasmNginxModule,
      wasmtime: engine.wasmtime,
      wasmedge: engine.wasmedge,
      luaRestyHttp: engine.luaRestyHttp,
    },
    knobs: {
      orVer: knob("OR_VER", shellQuote(engine.openresty)),
      wnmVer: knob("WNM_VER", shellQuote(engine.wasmNginxModule)),
      wasmtimeVer: knob("WASMTIME_VER", shellQuote(engine.wasmtime)),
      wasmedgeVer: knob("WASMEDGE_VER", shellQuote(engine.wasmedge)),
      luaRestyHttpVer: knob("LUA_RESTY_HTTP_VER", shellQuote(engine.luaRestyHttp)),
      prefix: knob("OR_PREFIX", shellQuote(engine.prefix)),
      ccOpt: knob("cc_opt", quoteOrEmpty(c.ccOpt)),
      ldOpt: knob("ld_opt", quoteOrEmpty(c.ldOpt)),
      luajitXcflags: knob("luajit_xcflags", quoteOrEmpty(c.luajitXcflags)),
      debugArgs: knob("debug_args", c.debug ? quoteOrEmpty("--with-debug") : ""),
      mirror: knob("ORWASM_MIRROR", quoteOrEmpty(input.mirror ?? "")),
    },
    preset: c.preset,
    presetFlags: CONFIGURE_PRESETS[c.preset].map(shellQuote),
    extraFlags: c.extraFlags.map(shellQuote),
    files: {
      openresty: fetched("openresty", false),
      wnm: fetched("wasm-nginx-module", false),
      wasmtime: fetched("wasmtime-c-api", true),
      wasmedge: fetched("wasmedge", true),
      luaRestyHttp: fetched("lua-resty-http", false),
    },
    pins: artifacts
      .filter((a) => a.sha256 !== null)
      .map((a) => ({ file: shellQuote(a.file), sha256: a.sha256, by: a.pinnedBy })),
    unpinned: artifacts.filter((a) => a.sha256 === null).map((a) => ({ file: oneLine(a.file) })),
    pcre: pcreDevPackage(engine.openresty),
  };
  return compileTemplate("engine/build.sh.hbs")(view);
}

/** `NAME=${NAME:-default}`: the environment wins, else the project's value (already a quoted word or empty). */
function knob(name: string, quotedDefault: string): string {
  return `${name}=\${${name}:-${quotedDefault}}`;
}

/** The quoted default of a knob; empty stays empty (`${x:-}`). */
function quoteOrEmpty(s: string): string {
  if (s === "") return "";
  // `${x:--O2}` is valid bash but reads like a typo; quote option text that starts with a dash.
  return s.startsWith("-") ? `'${s.replace(/'/g, `'\\''`)}'` : shellQuote(s);
}

/** Comments must stay one line whatever a path contains. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}

/** nginx reads PCRE2 from 1.21.5 on; OpenResty 1.21.4.x still needs the old PCRE's headers. */
export function pcreDevPackage(openresty: string): "libpcre3-dev" | "libpcre2-dev" {
  const [major = 0, minor = 0] = openresty.split(".").map(Number);
  return major > 1 || (major === 1 && minor >= 25) ? "libpcre2-dev" : "libpcre3-dev";
}
