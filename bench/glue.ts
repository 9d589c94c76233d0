// Benchmark: the rendered Lua glue's own cost per request, in LuaJIT against stubs (a plugin call that returns at
// once), next to the minimal hand-written glue: what the glue adds before nginx and the VM are counted at all.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderNginxConf } from "../src/render/nginx-conf.js";
import { defaultTarget } from "../src/render/target.js";
import { luaBlocks } from "../test/helpers/lua-harness.js";
import { projectFrom } from "../test/helpers/project.js";
import type { BenchResult } from "./result.js";

const REQUESTS = 2_000_000;

/** The project: one route per failure policy, each with one response-headers plugin. */
const YAML = `plugins:
  - { name: closed, file: p.wasm }
  - { name: open, file: p.wasm, failure: open }
servers:
  - routes:
      - { path: /closed, respond: {}, plugins: [closed] }
      - { path: /open, respond: {}, plugins: [open] }
`;

/**
 * The driver: stubs of ngx (ngx.ctx allocates a table on first use in a request, like lua-nginx-module's getter)
 * and resty.proxy-wasm, then `REQUESTS` runs of a location's header filter and two body-filter calls (a data chunk,
 * then the last buffer), timed with os.clock. The minimal glue is one on_http_response_headers call per request.
 */
function driver(files: {
  init: string;
  headerFilter: string;
  bodyFilter: string | undefined;
}): string {
  const q = JSON.stringify;
  return `
local ctx_table
ngx = { ERR = 1, WARN = 2, ERROR = -1, arg = {}, header = {}, log = function() end }
setmetatable(ngx, { __index = function(_, k)
  if k == "ctx" then
    if not ctx_table then ctx_table = {} end
    return ctx_table
  end
end })
local ok = function() return true end
package.loaded["resty.proxy-wasm"] = {
  load = function(name) return { name = name } end,
  on_configure = function(p) return { plugin = p.name } end,
  on_http_request_headers = ok, on_http_request_body = ok,
  on_http_response_headers = ok, on_http_response_body = ok,
}
assert(loadfile(${q(files.init)}))()
require("orwasm.runtime").init_worker()
local hf = assert(loadfile(${q(files.headerFilter)}))
local bf = ${files.bodyFilter ? `assert(loadfile(${q(files.bodyFilter)}))` : "nil"}
local wasm = require("resty.proxy-wasm")
local ctx = wasm.on_configure({ name = "minimal" })
local minimal = function() wasm.on_http_response_headers(ctx) end
local function run(f, with_body)
  local t = os.clock()
  for _ = 1, ${REQUESTS} do
    ctx_table = nil
    f()
    if with_body then
      ngx.arg[1], ngx.arg[2] = "ok", false
      bf()
      ngx.arg[1], ngx.arg[2] = "", true
      bf()
    end
  end
  return (os.clock() - t) * 1e9 / ${REQUESTS}
end
run(minimal, false); run(hf, bf ~= nil) -- warm-up: let the JIT compile both
io.write(string.format("%.1f %.1f\\n", run(minimal, false), run(hf, bf ~= nil)))
`;
}

/** ns per request of the rendered glue and of the minimal glue, per route. */
export async function benchGlue(): Promise<BenchResult[]> {
  const project = projectFrom(YAML, {
    closed: ["proxy_on_response_headers"],
    open: ["proxy_on_response_headers"],
  });
  const blocks = luaBlocks(renderNginxConf(project, defaultTarget(project)));
  const dir = mkdtempSync(join(tmpdir(), "orwasm-bench-glue-"));
  const file = (name: string, code: string) => {
    const f = join(dir, name);
    writeFileSync(f, code);
    return f;
  };
  const init = file("init.lua", blocks.find((b) => b.phase === "init")!.code);
  const out: BenchResult[] = [];
  for (const route of ["closed", "open"]) {
    const at = (phase: string) =>
      blocks.find((b) => b.phase === phase && b.location === `"/${route}"`);
    const hf = at("header_filter")!;
    const bf = at("body_filter");
    const lua = driver({
      init,
      headerFilter: file(`${route}-hf.lua`, hf.code),
      bodyFilter: bf ? file(`${route}-bf.lua`, bf.code) : undefined,
    });
    const [minimal, rendered] = execFileSync("luajit", [file(`${route}.lua`, lua)], {
      encoding: "utf8",
    })
      .trim()
      .split(" ")
      .map(Number) as [number, number];
    const label = `fail-${route} (${bf ? "header + body filter" : "header filter"})`;
    out.push(
      { name: `glue: minimal hand-written, LuaJIT stubs`, value: minimal, unit: "ns/request" },
      { name: `glue: rendered, ${label}`, value: rendered, unit: "ns/request" },
      {
        name: `glue: rendered ${route} minus minimal (Lua only; nginx's filter entry not counted)`,
        value: rendered - minimal,
        unit: "ns/request",
      },
    );
  }
  return out;
}
