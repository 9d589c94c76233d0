// Runs the Lua that a rendered nginx.conf carries in real LuaJIT, against stubs of ngx and resty.proxy-wasm
// that record what the glue did: which plugin contexts were configured with which bytes, which calls ran, logs, exits.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasCommand, requireOrSkip } from "./skip.js";

/** Why the LuaJIT tests skip here, or undefined when luajit is installed (a failure under CI=true). */
export const noLuajit = requireOrSkip(
  "luajit",
  hasCommand("luajit"),
  "luajit is not installed (scripts/setup-test-env.sh installs Debian's luajit)",
);

/** The body of every `NAME_by_lua_block { ... }` in order, with the location it sits in (null at http level). */
export function luaBlocks(
  conf: string,
): { phase: string; location: string | null; code: string }[] {
  const out: { phase: string; location: string | null; code: string }[] = [];
  const re = /(?:location\s+([^{]*?)\s*\{)|(\w+)_by_lua_block\s*\{/g;
  let location: string | null = null;
  let m: RegExpExecArray | null;
  while ((m = re.exec(conf))) {
    if (m[1] !== undefined) {
      location = m[1];
      continue;
    }
    // Like lua-nginx-module's block parser: braces inside "..." strings and -- comments do not count.
    let depth = 1;
    let i = re.lastIndex;
    while (depth > 0 && i < conf.length) {
      const c = conf[i];
      if (c === '"') {
        for (i++; i < conf.length && conf[i] !== '"'; i++) if (conf[i] === "\\") i++;
      } else if (c === "-" && conf[i + 1] === "-") {
        while (i < conf.length && conf[i] !== "\n") i++;
      } else if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
    out.push({
      phase: m[2]!,
      location: m[2] === "init" || m[2] === "init_worker" ? null : location,
      code: conf.slice(re.lastIndex, i - 1),
    });
    re.lastIndex = i;
  }
  return out;
}

export interface Scenario {
  /** Plugins whose wasm.load returns nil (as under `nginx -t`, or a missing file). */
  loadFails?: string[];
  /**
   * Plugins whose load kills the worker (as wasmtime 0.38 aborts on a trap in a start function): init_worker stops
   * there and runs again, as nginx's respawned worker with the same id and the same shared dicts.
   */
  crashLoads?: string[];
  /** Plugin names whose on_configure returns nil. */
  configureFails?: string[];
  /** `plugin:phase` pairs whose call returns nil, "boom" (phase: request_headers, request_body, response_headers, response_body). */
  callFails?: string[];
  /** `plugin` whose request-headers call sends a local response with this status (the module calls ngx.exit itself). */
  localResponse?: Record<string, number>;
  /**
   * The time `orwasm reload` wrote into the drain file (ngx.now() is 1000 when the worker starts), read by the
   * runtime's drain timer, which the driver fires once after init_worker. Absent: no drain file.
   */
  drainSince?: number;
  /** What ngx.worker.count() answers (default 1); init_worker runs once, as worker 0. */
  workerCount?: number;
  /** Requests to run, each against a location (as written after `location`). */
  requests?: { location: string; body?: string; bodyFile?: string; chunks?: string[] }[];
}

export interface LuaRun {
  /** Every event, in order: `load NAME PATH`, `configure NAME HEX`, `call PHASE NAME HEX`, `log LEVEL MSG`, `exit N`, `finalize N` (a header filter's ngx.exit: nginx's error page follows), `status N`, `print HEX`, `filter-return X`, `body HEX`. */
  events: string[];
  stdout: string;
}

const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

/** Runs init, init_worker and then each request's phases of the rendered conf in LuaJIT. */
export function runLua(conf: string, scenario: Scenario = {}): LuaRun {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-lua-"));
  const blocks = luaBlocks(conf);
  const files: string[] = [];
  blocks.forEach((b, i) => {
    const f = join(dir, `block${i}.lua`);
    writeFileSync(f, b.code);
    files.push(f);
  });
  const lua = (s: string) => `"${[...Buffer.from(s, "utf8")].map((b) => `\\${b}`).join("")}"`;
  const set = (xs: string[] = []) => `{ ${xs.map((x) => `[${lua(x)}] = true`).join(", ")} }`;
  const map = (o: Record<string, number> = {}) =>
    `{ ${Object.entries(o)
      .map(([k, v]) => `[${lua(k)}] = ${v}`)
      .join(", ")} }`;
  const blockTable = blocks
    .map(
      (b, i) =>
        `{ phase = ${lua(b.phase)}, location = ${b.location === null ? "nil" : lua(b.location)}, file = ${lua(files[i]!)} }`,
    )
    .join(",\n");
  const requests = (scenario.requests ?? [])
    .map(
      (r) =>
        `{ location = ${lua(r.location)}, body = ${r.body === undefined ? "nil" : lua(r.body)}, body_file = ${r.bodyFile === undefined ? "nil" : lua(r.bodyFile)}, chunks = { ${(r.chunks ?? ["upstream body"]).map(lua).join(", ")} } }`,
    )
    .join(",\n");
  const driver = `
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function ev(...) io.write(table.concat({...}, " "), "\\n") end
local loadFails, configureFails, callFails, localResponse = ${set(scenario.loadFails)}, ${set(scenario.configureFails)}, ${set(scenario.callFails)}, ${map(scenario.localResponse)}
local crashLoads = ${set(scenario.crashLoads)}
local drainSince = ${scenario.drainSince === undefined ? "nil" : String(scenario.drainSince)}
local timers = {}
local real_open = io.open
io.open = function(path, mode)
  if path:match("/orwasm%-drain$") then
    if not drainSince then return nil, path .. ": No such file or directory" end
    return { read = function() return tostring(drainSince) end, close = function() end }
  end
  return real_open(path, mode)
end
local EXIT, CRASH = {}, {}
local current
local last_exit
ngx = {
  ERR = "err", WARN = "warn", NOTICE = "notice", INFO = "info", ERROR = "NGX_ERROR",
  log = function(level, ...) ev("log", level, (table.concat({...}):gsub("\\n", " "))) end,
  exit = function(code) ev("exit", code); last_exit = code; error(EXIT) end,
  print = function(...) ev("print", hex(table.concat({...}))) end,
  req = {
    read_body = function() ev("read_body") end,
    get_body_data = function() return current.body end,
    get_body_file = function() return current.body_file end,
    http_version = function() return 1.1 end,
  },
  arg = {},
  now = function() return 1000 end,
  update_time = function() end,
  timer = { every = function(_, fn) timers[#timers + 1] = fn; return true end },
  worker = { id = function() return 0 end, count = function() return ${scenario.workerCount ?? 1} end },
  shared = { orwasm_health = (function()
    local d = {}
    return { get = function(_, k) return d[k] end, set = function(_, k, v) d[k] = v; return true end }
  end)() },
}
local status
setmetatable(ngx, {
  __index = function(_, k) if k == "status" then return status end end,
  __newindex = function(t, k, v) if k == "status" then status = v; ev("status", v) else rawset(t, k, v) end end,
})
local header = setmetatable({}, { __newindex = function(t, k, v) ev("header", k, tostring(v)) end })
ngx.header = header
local function call(phase)
  return function(ctx, body)
    ev("call", phase, ctx.plugin, hex(body or ""))
    if localResponse[ctx.plugin] and phase == "request_headers" then return ngx.exit(localResponse[ctx.plugin]) end
    if callFails[ctx.plugin .. ":" .. phase] then return nil, "boom" end
    return true
  end
end
package.loaded["resty.proxy-wasm"] = {
  load = function(name, path)
    ev("load", name, path)
    if crashLoads[name] then ev("crash", name); error(CRASH) end
    if loadFails[name] then return nil, "failed to load wasm plugin" end
    return { name = name }
  end,
  on_configure = function(plugin, conf)
    ev("configure", plugin.name, hex(conf))
    if type(conf) ~= "string" or conf == "" then return nil, "bad conf" end
    if configureFails[plugin.name] then return nil, "failed to run proxy_on_configure" end
    return { plugin = plugin.name }
  end,
  on_http_request_headers = call("request_headers"),
  on_http_request_body = call("request_body"),
  on_http_response_headers = call("response_headers"),
  on_http_response_body = function(ctx) return call("response_body")(ctx, ngx.arg[1]) end,
}
local blocks = { ${blockTable} }
local function run(b)
  local f = assert(loadfile(b.file))
  local ok, res = pcall(f)
  if not ok and res ~= EXIT then error(res) end
  return res
end
for _, b in ipairs(blocks) do if b.phase == "init" then run(b) end end
for _, b in ipairs(blocks) do
  if b.phase == "init_worker" then
    for _ = 1, 5 do
      local ok, res = pcall(run, b)
      if ok then break end
      if res ~= CRASH then error(res) end
      ev("respawn")
    end
  end
end
for _, fn in ipairs(timers) do fn(false) end
local requests = { ${requests} }
for _, r in ipairs(requests) do
  current = r
  ngx.ctx = {}
  status = nil
  ev("request", r.location)
  local exited = false
  for _, b in ipairs(blocks) do
    if b.location == r.location and (b.phase == "access" or b.phase == "rewrite" or b.phase == "content") and not exited then
      local ok, res = pcall(assert(loadfile(b.file)))
      if not ok then if res == EXIT then exited = true else error(res) end end
    end
  end
  -- A location's own header filter replaces the http-level one (nginx inherits a *_by_lua directive only when unset).
  local function header_filters()
    local own = {}
    for _, b in ipairs(blocks) do
      if b.location == r.location and b.phase == "header_filter" then own[#own + 1] = b end
    end
    if #own > 0 then return own end
    for _, b in ipairs(blocks) do
      if b.location == nil and b.phase == "header_filter" then own[#own + 1] = b end
    end
    return own
  end
  local header_exit
  for _, b in ipairs(header_filters()) do
    local ok, res = pcall(assert(loadfile(b.file)))
    if not ok then if res == EXIT then header_exit = last_exit else error(res) end end
  end
  local chunks = r.chunks
  if header_exit then
    -- lua-nginx-module: ngx.exit(N >= 300) in a header filter is ngx_http_filter_finalize_request: nginx drops this
    -- response (headers, status, body) and sends its error page for N through the header and body filters again
    ev("finalize", header_exit)
    status = header_exit
    for _, b in ipairs(header_filters()) do run(b) end
    chunks = { "<nginx error page " .. header_exit .. ">" }
  end
  for _, b in ipairs(blocks) do
    if b.location == r.location and b.phase == "body_filter" then
      for i, chunk in ipairs(chunks) do
        ngx.arg[1], ngx.arg[2] = chunk, i == #chunks
        local res = run(b)
        if res ~= nil then ev("filter-return", tostring(res)) end
        ev("body", hex(ngx.arg[1] or ""))
      end
    end
  end
end
`;
  const driverFile = join(dir, "driver.lua");
  writeFileSync(driverFile, driver);
  const stdout = execFileSync("luajit", [driverFile], { encoding: "utf8" });
  return { events: stdout.split("\n").filter(Boolean), stdout };
}

/** Decodes the hex that the stub records, for readable assertions. */
export const unhex = (h: string) => Buffer.from(h, "hex").toString("utf8");
export { hex };
