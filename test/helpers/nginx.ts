// Runs a rendered nginx.conf through a real nginx (Debian's, with the Lua module): `nginx -t` with the
// wasm-specific directives stubbed, and a real start on loopback against a stub `resty.proxy-wasm` that records
// the bytes each on_configure call received, so nginx's own parser and limits judge what orwasm writes.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasCommand } from "./skip.js";

const MODULES = "/usr/lib/nginx/modules";
const LUA_MODULE = `${MODULES}/ngx_http_lua_module.so`;
const NDK_MODULE = `${MODULES}/ndk_http_module.so`;

/** Why a real nginx cannot run here, or undefined when it can (scripts/setup-nginx.sh installs it). */
export function nginxMissing(): string | undefined {
  if (!hasCommand("nginx"))
    return "nginx is not installed (scripts/setup-nginx.sh installs Debian's nginx)";
  if (!existsSync(LUA_MODULE))
    return `${LUA_MODULE} is missing (scripts/setup-nginx.sh installs libnginx-mod-http-lua)`;
  return undefined;
}

/**
 * The stub module: load and on_configure record what they got; request calls succeed, except the response-headers
 * call of a plugin named fails*; response calls are recorded with the request's URI.
 */
function stubModule(recordDir: string): string {
  return `-- A stand-in for resty.proxy-wasm that records what the glue passed to it.
local dir = ${JSON.stringify(recordDir)}
local n = 0
local function record(kind, name, bytes)
  n = n + 1
  local f = assert(io.open(dir .. "/" .. ngx.worker.pid() .. "-" .. n .. "-" .. kind .. "-" .. name, "wb"))
  f:write(bytes)
  f:close()
end
local _M = {}
function _M.load(name, path)
  record("load", name, path)
  return { name = name }
end
function _M.on_configure(plugin, conf)
  if type(conf) ~= "string" or conf == "" then return nil, "bad conf" end
  record("configure", plugin.name, conf)
  return { plugin = plugin.name }
end
local function ok() return true end
_M.on_http_request_headers = ok
_M.on_http_request_body = ok
-- a plugin whose name starts with "fails" fails its response-headers call; both response calls are recorded
function _M.on_http_response_headers(ctx)
  record("response_headers", ctx.plugin, ngx.var.uri)
  if ctx.plugin:sub(1, 5) == "fails" then return nil, "stub failure" end
  return true
end
function _M.on_http_response_body(ctx)
  record("response_body", ctx.plugin, ngx.var.uri)
  return true
end
return _M
`;
}

interface Prepared {
  dir: string;
  confFile: string;
  recordDir: string;
}

/**
 * Writes `conf` for Debian's nginx: the Lua module loaded, `wasm_vm` and any wasm module load removed,
 * upstream host names pointed at 127.0.0.1,
 * the stub first on lua_package_path, pid and logs in a temp dir, and (when `port` is set) every `listen` on
 * 127.0.0.1:port. Nothing else changes, so every token orwasm wrote meets nginx's reader as rendered.
 */
function prepare(conf: string, port?: number): Prepared {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-nginx-"));
  const recordDir = join(dir, "record");
  execFileSync("mkdir", ["-p", join(dir, "lua", "resty"), recordDir, join(dir, "logs")]);
  // Workers run as nobody when the master is root: they must be able to write the records.
  for (const d of [dir, recordDir, join(dir, "logs")]) chmodSync(d, 0o777);
  writeFileSync(join(dir, "lua", "resty", "proxy-wasm.lua"), stubModule(recordDir));
  let out = conf
    .replace(/^\s*load_module\s+\S*(wasm|ndk|lua)\S*;\s*$/gm, "")
    // nginx resolves upstream host names at start (and under -t); DNS is not what these tests judge.
    .replace(/^(\s*server\s+)[A-Za-z][A-Za-z0-9.-]*(:[0-9]+;)/gm, "$1127.0.0.1$2")
    .replace(/^\s*wasm_vm\s+\w+;\s*$/gm, "")
    .replace(/^pid\s+[^;]+;/m, `pid ${join(dir, "nginx.pid")};`)
    .replace(
      /^(\s*)lua_package_path\s+"([^"]*)";/m,
      `$1lua_package_path "${join(dir, "lua")}/?.lua;$2";`,
    )
    .replace(/^(\s*)access_log\s+[^;]+;/m, `$1access_log off;`);
  if (port !== undefined)
    out = out.replace(/^(\s*)listen\s+[^;]+;/gm, `$1listen 127.0.0.1:${port};`);
  out = `load_module ${NDK_MODULE};\nload_module ${LUA_MODULE};\n${out}`;
  const confFile = join(dir, "nginx.conf");
  writeFileSync(confFile, out);
  return { dir, confFile, recordDir };
}

export interface NginxTest {
  ok: boolean;
  /** nginx's own words (stderr). */
  output: string;
}

/** `nginx -t` on a rendered conf, as nginx's own parser and limits see it. */
export function nginxTest(conf: string): NginxTest {
  const p = prepare(conf);
  const r = spawnSync("nginx", ["-t", "-p", `${p.dir}/`, "-c", p.confFile, "-e", "stderr"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

export interface NginxRun {
  /** Every on_configure call in the first worker to record one: plugin name and the exact bytes. */
  configured: { plugin: string; bytes: Buffer }[];
  /** Loads (name and path given to wasm.load) in that worker. */
  loaded: { name: string; path: string }[];
  /** Response-headers and response-body calls in that worker, in order, with the URI they ran for. */
  calls: { phase: "response_headers" | "response_body"; plugin: string; uri: string }[];
  /** Responses to the requested paths, body as bytes. */
  responses: { path: string; status: number; headers: Headers; body: Buffer }[];
  /** nginx's error log (stderr). */
  log: string;
}

/**
 * Starts the conf in a real nginx on a free loopback port (one worker, no daemon), waits until the workers
 * answer, sends one GET per path, and stops nginx again. Throws with nginx's log when it does not start.
 */
export async function runInNginx(conf: string, paths: string[] = []): Promise<NginxRun> {
  const port = await freePort();
  const p = prepare(conf.replace(/^worker_processes\s+[^;]+;/m, "worker_processes 1;"), port);
  const child = spawn(
    "nginx",
    ["-p", `${p.dir}/`, "-c", p.confFile, "-e", "stderr", "-g", "daemon off;"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (d: Buffer) => (log += d.toString("utf8")));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nginx exited at start-up:\n${log}`);
      const up = await fetch(`${base}/`, { signal: AbortSignal.timeout(1000) }).then(
        async (r) => (await r.arrayBuffer(), true),
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`nginx did not answer within 15 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const responses: NginxRun["responses"] = [];
    for (const path of paths) {
      const r = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
      responses.push({
        path,
        status: r.status,
        headers: r.headers,
        body: Buffer.from(await r.arrayBuffer()),
      });
    }
    return { ...readRecords(p.recordDir), responses, log };
  } finally {
    if (child.exitCode === null) child.kill("SIGQUIT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}

function readRecords(dir: string): Pick<NginxRun, "configured" | "loaded" | "calls"> {
  const files = readdirSync(dir)
    .map((f) => {
      const [pid, n, kind, ...name] = f.split("-");
      return { f, pid: Number(pid), n: Number(n), kind: kind!, name: name.join("-") };
    })
    .sort((a, b) => a.pid - b.pid || a.n - b.n);
  const first = files[0]?.pid;
  const mine = files.filter((x) => x.pid === first);
  return {
    configured: mine
      .filter((x) => x.kind === "configure")
      .map((x) => ({ plugin: x.name, bytes: readFileSync(join(dir, x.f)) })),
    loaded: mine
      .filter((x) => x.kind === "load")
      .map((x) => ({ name: x.name, path: readFileSync(join(dir, x.f), "utf8") })),
    calls: mine
      .filter((x) => x.kind === "response_headers" || x.kind === "response_body")
      .map((x) => ({
        phase: x.kind as "response_headers" | "response_body",
        plugin: x.name,
        uri: readFileSync(join(dir, x.f), "utf8"),
      })),
  };
}
