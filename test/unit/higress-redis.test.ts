// The higress profile against a real Redis (started by test/setup/redis-global.ts): the Go blacklist example,
// each RESP reply type as wasm-go parses it, Redis + HTTP in one request, pause/resume across two plugins,
// unknown cluster names as located load errors, and the same plugin refused for OpenResty.
import { mkdtemp, readFile, writeFile, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { processIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { ConfigError } from "../../src/errors.js";
import { startDevServer } from "../../src/gateway/dev-server.js";
import { EmbeddedGateway } from "../../src/gateway/embedded.js";
import { runEmbeddedTests } from "../../src/gateway/test-run.js";
import { loadProject } from "../../src/app/load-project.js";
import { haveGo } from "../fixtures/go-plugins/build.js";
import { haveRedis, redis } from "../fixtures/redis.js";

const repo = resolve(import.meta.dirname, "../..");
const example = join(repo, "examples/go-redis-blacklist/orwasm.yaml");
const probe = join(repo, "test/fixtures/go-plugins/redis-probe/orwasm.yaml");
const ready = haveGo() && (await haveRedis());

describe.skipIf(!ready)("higress profile with a real Redis", () => {
  it("the blacklist example: listed 403, not listed passes, Redis down 503, Redis too slow 503, failOpen passes", async () => {
    const { project } = await loadProject(example, { profile: "project" });
    await redis("SET", "blacklist-hits:mallory", "7"); // the case deletes it first: the count must come out 1
    const report = await runEmbeddedTests(project, example);
    const results = report.checks.map((c) => [
      c.name,
      c.passed,
      c.differences.map((d) => `${d.subject}: ${d.got}`),
    ]);
    expect(results).toEqual([
      ["a listed key gets 403 and its hit is counted in Redis", true, []],
      ["a key that is not listed reaches the upstream", true, []],
      ["Redis down answers 503 (fail closed)", true, []],
      ["Redis slower than the plugin's 500 ms timeout answers 503", true, []],
      ["failOpen passes the request on when Redis is down", true, []],
      ["a request without the header is not checked", true, []],
    ]);
    expect(report.gateway.image).toContain("higress profile");
    // the plugin's INCR reached the real server: read back with a separate connection
    expect(await redis("GET", "blacklist-hits:mallory")).toBe("1");
  });

  it("a listed key served through the gateway: 403 body names the reason, the hit counter grows per request", async () => {
    const { project } = await loadProject(example, { profile: "project" });
    await redis("SET", "blacklist:eve", "spam");
    await redis("DEL", "blacklist-hits:eve");
    const gw = await EmbeddedGateway.start(project);
    try {
      for (let i = 0; i < 3; i++) {
        const out = await gw.handle(0, { path: "/", headers: { "x-api-key": "eve" } });
        if ("notFound" in out) throw new Error("route not found");
        expect(out.response.status).toBe(403);
        expect(out.response.text).toBe("forbidden: spam\n");
      }
      const ok = await gw.handle(0, { path: "/", headers: { "x-api-key": "bob" } });
      if ("notFound" in ok) throw new Error("route not found");
      expect(ok.response.status).toBe(200);
      expect(ok.upstreamRequest).toBeDefined();
    } finally {
      await gw.close();
    }
    expect(await redis("GET", "blacklist-hits:eve")).toBe("3");
  });

  it("each RESP reply type reaches the plugin as wasm-go parses it; Redis + HTTP in one request; a paused first plugin", async () => {
    const { project } = await loadProject(probe, { profile: "project" });
    const report = await runEmbeddedTests(project, probe);
    const failed = report.checks.filter((c) => !c.passed).map((c) => [c.name, c.differences]);
    expect(failed).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      "simple string",
      "bulk string",
      "integer",
      "array with a nil inside",
      "error",
      "nil",
      "a Redis call then an HTTP call in one request",
      "the second plugin runs after the first resumes, and sees its header",
      "a first plugin that answers ends the chain before the second",
    ]);
    expect(await redis("GET", "probe:n")).toBe("42");
  });

  it("an unknown cluster name is a load error at the config that names it, listing the upstreams", async () => {
    const dir = await mkdtemp(join(tmpdir(), "orwasm-i12-"));
    await cp(join(repo, "examples/go-redis-blacklist"), dir, { recursive: true });
    const file = join(dir, "orwasm.yaml");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("serviceName: redis.dns\n", "serviceName: cache.dns\n"));
    const { project } = await loadProject(file, { profile: "project" });
    const err = await EmbeddedGateway.start(project).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const [p] = (err as ConfigError).problems;
    const configLine = text.split("\n").findIndex((l) => l.startsWith("    config:")) + 1;
    expect(p).toMatchObject({ path: "plugins.0.config", line: configLine + 1 });
    expect(p!.message).toContain("cluster outbound|6379||cache.dns");
    expect(p!.message).toContain("redis (redis: outbound|6379||redis.dns)");
    expect(p!.message).toContain("backend (http)");
  });

  it("audited for OpenResty (wasm-nginx-module) the same plugin is an error naming the Redis functions", async () => {
    const err = await loadProject(example).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.map((p) => p.message).join("\n");
    expect(text).toContain("env.proxy_redis_init");
    expect(text).toContain("env.proxy_redis_call");
    expect(text).toContain("run it with `host: { profile: higress }`");
  });

  it("orwasm conf refuses the plugin with exit 2, the Redis functions and the pointer to the higress profile", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["conf", example], {
      ...processIO(),
      out: (s: string) => void out.push(s),
      err: (s: string) => void err.push(s),
    });
    expect(code).toBe(2);
    expect(out.join("")).toBe("");
    const text = err.join("");
    expect(text).toMatch(
      /orwasm\.yaml:\d+:\d+: plugins\.0\.name: plugin blacklist: imports env\.proxy_redis_init/,
    );
    expect(text).toContain("env.proxy_redis_call");
    expect(text).toContain("--profile higress");
  });

  it("orwasm dev serves the example against Redis: a listed key gets 403 over HTTP, another key the echo upstream", async () => {
    await redis("SET", "blacklist:dev-user", "dev test");
    const dev = await startDevServer(example, { port: 0, watch: false, log: () => undefined });
    try {
      const listed = await fetch(`${dev.urls[0]}/x`, { headers: { "x-api-key": "dev-user" } });
      expect(listed.status).toBe(403);
      expect(await listed.text()).toBe("forbidden: dev test\n");
      const other = await fetch(`${dev.urls[0]}/x`, { headers: { "x-api-key": "dev-other" } });
      expect(other.status).toBe(200);
      expect(((await other.json()) as { path: string }).path).toBe("/x");
    } finally {
      await dev.close();
    }
  });

  async function variant(edit: (yaml: string) => string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "orwasm-i12-"));
    await cp(join(repo, "examples/go-redis-blacklist"), dir, { recursive: true });
    const file = join(dir, "orwasm.yaml");
    await writeFile(file, edit(await readFile(file, "utf8")));
    return file;
  }

  it("a wrong Redis password in the plugin's config: AUTH is refused, no reply, the plugin fails closed", async () => {
    const file = await variant((y) =>
      y.replace("        password: orwasm-test\n", "        password: wrong\n"),
    );
    const { project } = await loadProject(file, { profile: "project" });
    const gw = await EmbeddedGateway.start(project);
    try {
      const out = await gw.handle(0, { path: "/", headers: { "x-api-key": "alice" } });
      if ("notFound" in out) throw new Error("route not found");
      expect(out.response.status).toBe(503);
      expect(out.logs.map((l) => l.message).join("\n")).toMatch(/AUTH failed: -WRONGPASS/);
    } finally {
      await gw.close();
    }
  });

  it("wasm-go's _rules_ pick the config by route name (_match_route_) and by host (_match_domain_)", async () => {
    const rules = {
      header: "x-api-key",
      redis: { serviceName: "redis.dns", servicePort: 6379, password: "orwasm-test" },
      _rules_: [
        {
          _match_route_: ["admin-route"],
          keyPrefix: "adminlist:",
          redis: { serviceName: "redis.dns", servicePort: 6379, password: "orwasm-test" },
        },
        {
          _match_domain_: ["*.partner.example"],
          keyPrefix: "partnerlist:",
          redis: { serviceName: "redis.dns", servicePort: 6379, password: "orwasm-test" },
        },
      ],
    };
    const file = await variant((y) =>
      y
        .replace(/ {4}config:\n( {6}.*\n| {8}.*\n)+/, `    config: ${JSON.stringify(rules)}\n`)
        .replace(
          "      - path: /\n",
          "      - path: /admin\n        name: admin-route\n        upstream: backend\n        plugins: [blacklist]\n      - path: /\n",
        ),
    );
    await redis("SET", "adminlist:carol", "admins only");
    await redis("SET", "partnerlist:carol", "partners only");
    await redis("DEL", "blacklist:carol");
    const { project } = await loadProject(file, { profile: "project" });
    const gw = await EmbeddedGateway.start(project);
    try {
      const status = async (path: string, host: string) => {
        const out = await gw.handle(0, { path, headers: { "x-api-key": "carol", host } });
        if ("notFound" in out) throw new Error("route not found");
        return [out.response.status, out.response.text];
      };
      expect(await status("/admin", "gw.example")).toEqual([403, "forbidden: admins only\n"]);
      expect(await status("/", "api.partner.example")).toEqual([403, "forbidden: partners only\n"]);
      expect((await status("/", "gw.example"))[0]).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
