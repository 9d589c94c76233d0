// Runs the built example plugins in Node against a small stand-in proxy-wasm host (only the
// host functions the examples import), to check what they do before any gateway is involved:
// the header add-header adds, what deny-list denies and answers, and how a bad config fails.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPlugin, defaultPluginOutFile } from "../../src/plugins/index.js";

const EXAMPLES = resolve(import.meta.dirname, "../../examples");

/** What the plugin asked the host to do. */
interface HostRecord {
  logs: { level: number; message: string }[];
  added: { map: number; key: string; value: string }[];
  localResponses: { status: number; body: string; headers: [string, string][] }[];
}

/** wasm-nginx-module answers the plugin_root_id property with the name the plugin was loaded under. */
function instantiate(
  bytes: Uint8Array,
  opts: { rootId: string; config: string; requestHeaders?: Record<string, string> },
) {
  const rec: HostRecord = { logs: [], added: [], localResponses: [] };
  const mod = new WebAssembly.Module(bytes);
  type Exports = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  const box: { exports?: Exports } = {};
  const ex = (): Exports => box.exports!;
  const mem = () => new Uint8Array(ex().memory.buffer);
  const str = (ptr: number, len: number) =>
    Buffer.from(mem().subarray(ptr, ptr + len)).toString("utf8");
  const give = (data: string, ptrPtr: number, sizePtr: number) => {
    const b = Buffer.from(data, "utf8");
    const ptr = ex().malloc!(b.length);
    mem().set(b, ptr);
    const view = new DataView(ex().memory.buffer);
    view.setUint32(ptrPtr, ptr, true);
    view.setUint32(sizePtr, b.length, true);
    return 0; // Ok
  };
  const env: Record<string, (...a: number[]) => number> = {
    proxy_log: (level, ptr, len) => (rec.logs.push({ level: level, message: str(ptr, len) }), 0),
    proxy_get_buffer_bytes: (type, start, len, ptrPtr, sizePtr) =>
      type === 7 ? give(opts.config.slice(start, start + len), ptrPtr, sizePtr) : 1,
    proxy_get_property: (p, l, ptrPtr, sizePtr) =>
      str(p, l) === "plugin_root_id" ? give(opts.rootId, ptrPtr, sizePtr) : 1,
    proxy_get_header_map_value: (map, k, kl, ptrPtr, sizePtr) => {
      const value = map === 0 ? opts.requestHeaders?.[str(k, kl)] : undefined;
      return value === undefined ? 1 : give(value, ptrPtr, sizePtr);
    },
    proxy_add_header_map_value: (map, k, kl, v, vl) => (
      rec.added.push({ map: map, key: str(k, kl), value: str(v, vl) }),
      0
    ),
    proxy_send_local_response: (status, _d, _dl, body, bodyLen, hdrs, hdrsLen) => {
      rec.localResponses.push({
        status: status,
        body: str(body, bodyLen),
        headers: readPairs(mem(), hdrs, hdrsLen),
      });
      return 0;
    },
  };
  for (const i of WebAssembly.Module.imports(mod)) {
    if (i.module !== "env" || !(i.name in env))
      throw new Error(`the stand-in host lacks ${i.module}.${i.name}`);
  }
  const instance = new WebAssembly.Instance(mod, { env });
  box.exports = instance.exports as Exports;
  return { exports: box.exports, rec };
}

/** proxy-wasm's serialized header map: count, then (key len, value len) pairs, then NUL-terminated data. */
function readPairs(mem: Uint8Array, ptr: number, len: number): [string, string][] {
  if (len === 0) return [];
  const view = new DataView(mem.buffer, ptr, len);
  const n = view.getUint32(0, true);
  let off = 4 + 8 * n;
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const kl = view.getUint32(4 + 8 * i, true);
    const vl = view.getUint32(8 + 8 * i, true);
    const k = Buffer.from(mem.subarray(ptr + off, ptr + off + kl)).toString();
    off += kl + 1;
    const v = Buffer.from(mem.subarray(ptr + off, ptr + off + vl)).toString();
    off += vl + 1;
    out.push([k, v]);
  }
  return out;
}

const ROOT_CTX = 1;
const HTTP_CTX = 2;
const INFO = 2;
const ERROR = 4;

async function build(example: string, plugin: string): Promise<Uint8Array> {
  const outFile = defaultPluginOutFile(join(EXAMPLES, example), ".", plugin);
  await buildPlugin({
    lang: "assemblyscript",
    dir: join(EXAMPLES, example),
    entry: "assembly/index.ts",
    outFile,
  });
  return readFile(outFile);
}

describe("add-header, run against a stand-in host", () => {
  let wasm: Uint8Array;
  beforeAll(async () => {
    wasm = await build("add-header", "add_header");
  }, 240_000);

  it("adds response header x-hello with the config as its value, logs it at info, and continues", () => {
    const { exports, rec } = instantiate(wasm, { rootId: "add_header", config: "world" });
    exports.proxy_on_context_create!(ROOT_CTX, 0);
    expect(exports.proxy_on_configure!(ROOT_CTX, 5)).toBe(1);
    exports.proxy_on_context_create!(HTTP_CTX, ROOT_CTX);
    expect(exports.proxy_on_response_headers!(HTTP_CTX, 0, 0)).toBe(0); // Continue
    expect(rec.added).toEqual([{ map: 2 /* response headers */, key: "x-hello", value: "world" }]);
    expect(rec.logs).toContainEqual({
      level: INFO,
      message: "add_header: added response header x-hello: world",
    });
  });

  it("traps with a logged error when loaded under another name than the root id it registers", () => {
    const { exports, rec } = instantiate(wasm, { rootId: "renamed", config: "world" });
    expect(() => exports.proxy_on_context_create!(ROOT_CTX, 0)).toThrow(WebAssembly.RuntimeError);
    expect(rec.logs.at(-1)?.message).toMatch(
      /^abort: Missing root context factory for root id: renamed at /,
    );
  });
});

describe("deny-list, run against a stand-in host", () => {
  let wasm: Uint8Array;
  beforeAll(async () => {
    wasm = await build("deny-list", "deny_list");
  }, 240_000);

  const CONFIG = JSON.stringify({ deny: ["/admin", "/internal/"], status: 403, body: "denied" });

  function request(path: string, config = CONFIG) {
    const { exports, rec } = instantiate(wasm, {
      rootId: "deny_list",
      config,
      requestHeaders: { ":path": path, ":method": "GET" },
    });
    exports.proxy_on_context_create!(ROOT_CTX, 0);
    const configured = exports.proxy_on_configure!(ROOT_CTX, Buffer.byteLength(config));
    if (configured !== 1) return { configured, rec };
    exports.proxy_on_context_create!(HTTP_CTX, ROOT_CTX);
    return { configured, status: exports.proxy_on_request_headers!(HTTP_CTX, 0, 0), rec };
  }

  it.each([
    "/admin",
    "/admin/users",
    "/internal",
    "/internal/x?y=1",
    "/%61dmin",
    "//admin",
    "/x/../admin/",
    "/./admin",
  ])(
    "%s is answered locally with the configured status and body, and the request stops",
    (path) => {
      const r = request(path);
      expect(r.status).toBe(1); // StopIteration
      expect(r.rec.localResponses).toEqual([
        { status: 403, body: "denied", headers: [["content-type", "text/plain; charset=utf-8"]] },
      ]);
    },
  );

  it.each(["/", "/public", "/administrator", "/internals", "/x/admin", "/?p=/admin"])(
    "%s continues to the upstream without a local response",
    (path) => {
      const r = request(path);
      expect(r.status).toBe(0); // Continue
      expect(r.rec.localResponses).toEqual([]);
    },
  );

  it("uses status 403 and body 'denied' when the config gives only the deny list", () => {
    const r = request("/admin", '{"deny":["/admin"]}');
    expect(r.rec.localResponses[0]).toMatchObject({ status: 403, body: "denied" });
  });

  it("decodes JSON escapes in the body", () => {
    const r = request(
      "/admin",
      '{"deny":["/admin"],"status":451,"body":"no \\"entry\\"\\n\\u00e9"}',
    );
    expect(r.rec.localResponses[0]).toMatchObject({ status: 451, body: 'no "entry"\né' });
  });

  it.each([
    ["not JSON", "deny /admin", "expected '{' (at offset 0)"],
    ["a missing deny list", '{"status":403}', 'missing key "deny"'],
    ["an unknown key", '{"deny":["/a"],"stauts":403}', 'unknown key "stauts"'],
    ["a prefix without a leading slash", '{"deny":["admin"]}', "must start with '/'"],
    [
      "a status out of range",
      '{"deny":["/a"],"status":99}',
      '"status" must be from 200 to 599, got 99',
    ],
    ["a fractional status", '{"deny":["/a"],"status":403.5}', "expected a whole number"],
    ["trailing text", '{"deny":["/a"]} x', "unexpected text after the object"],
    ["a duplicate key", '{"deny":["/a"],"deny":["/b"]}', 'duplicate key "deny"'],
    ["an unterminated string", '{"deny":["/a', "unterminated string"],
  ])("fails configuration on %s and logs why at error level", (_what, config, why) => {
    const r = request("/admin", config);
    expect(r.configured).toBe(0);
    const errors = r.rec.logs.filter((l) => l.level === ERROR).map((l) => l.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("deny_list: bad configuration: ");
    expect(errors[0]).toContain(why);
  });

  it("fails configuration when the config is empty", () => {
    const r = request("/admin", "");
    expect(r.configured).toBe(0);
    expect(r.rec.logs.filter((l) => l.level === ERROR)[0]?.message).toMatch(
      /^deny_list: no configuration/,
    );
  });
});
