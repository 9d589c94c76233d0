// Bearer-token auth (the token flow of Docker Hub-like registries): a loopback token service and gate in front of the
// real docker-registry. orwasm must answer the challenge with a token fetched for the right service and scope.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { registryToolsSkip, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { proxyWasm } from "../helpers/wat.js";

const skip = registryToolsSkip();
const USER = "robot";
const PASSWORD = "t0ken-service-Pa55";

describe.skipIf(skip)(
  `Bearer token auth in front of a real registry${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let reg: TestRegistry;
    let gate: Server;
    let host: string;
    let dir: string;
    const tokenRequests: URLSearchParams[] = [];
    const issued = new Set<string>();
    const saved = { docker: process.env.DOCKER_CONFIG, cache: process.env.ORWASM_OCI_CACHE };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "orwasm-i13-bearer-"));
      process.env.DOCKER_CONFIG = dir;
      process.env.ORWASM_OCI_CACHE = join(dir, "cache");
      reg = await startRegistry();
      const [regHost, regPort] = reg.host.split(":");
      gate = createServer((req, res) => {
        const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
        if (url.pathname === "/token") {
          tokenRequests.push(url.searchParams);
          if (
            req.headers.authorization !==
            `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`
          ) {
            res.writeHead(401).end();
            return;
          }
          const token = `tok-${issued.size}-${url.searchParams.get("scope")}`;
          issued.add(token);
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
          return;
        }
        const auth = req.headers.authorization ?? "";
        if (!auth.startsWith("Bearer ") || !issued.has(auth.slice(7))) {
          const repo = /^\/v2\/(.+?)\/(manifests|blobs)\//.exec(url.pathname)?.[1] ?? "";
          res
            .writeHead(401, {
              "www-authenticate": `Bearer realm="http://${req.headers.host}/token",service="gate.test",scope="repository:${repo}:pull,push"`,
            })
            .end();
          return;
        }
        const headers = { ...req.headers };
        delete headers.authorization;
        const up = request(
          { host: regHost, port: Number(regPort), method: req.method, path: req.url, headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        req.pipe(up);
      });
      await new Promise<void>((r) => gate.listen(0, "127.0.0.1", r));
      const a = gate.address();
      host = `127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    }, 60_000);
    afterAll(async () => {
      process.env.DOCKER_CONFIG = saved.docker;
      process.env.ORWASM_OCI_CACHE = saved.cache;
      await new Promise((r) => gate?.close(r));
      await reg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const login = (password: string) =>
      writeFileSync(
        join(dir, "config.json"),
        JSON.stringify({
          auths: {
            [`http://${host}`]: { auth: Buffer.from(`${USER}:${password}`).toString("base64") },
          },
        }),
      );

    it("push and pull go through: the token is asked for with the service and the repository's scope", async () => {
      login(PASSWORD);
      const wasm = proxyWasm(["proxy_on_http_request_headers"]);
      writeFileSync(join(dir, "p.wasm"), wasm);
      const pushed = await runCli(["plugin", "push", join(dir, "p.wasm"), `${host}/team/p:1`], dir);
      expect(pushed.stderr).not.toMatch(/orwasm: /);
      expect(pushed.code).toBe(0);
      const pulled = await runCli(
        ["plugin", "pull", `${host}/team/p:1`, "-o", join(dir, "out.wasm")],
        dir,
      );
      expect(pulled.code).toBe(0);
      expect(Buffer.from(readFileSync(join(dir, "out.wasm")))).toEqual(Buffer.from(wasm));
      expect(tokenRequests.map((q) => [q.get("service"), q.get("scope")])).toContainEqual([
        "gate.test",
        "repository:team/p:pull,push",
      ]);
      for (const text of [pushed.stdout, pushed.stderr, pulled.stdout, pulled.stderr])
        expect(text).not.toMatch(/tok-|t0ken-service/);
    });

    it("a wrong password is refused by the token service: a clear error, no credential or token in it", async () => {
      login("wrong-one");
      const r = await runCli(
        ["plugin", "pull", `${host}/team/p:1`, "-o", join(dir, "no.wasm")],
        dir,
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        `the token service of ${host} refused the credentials for user '${USER}' from ${join(dir, "config.json")} auths (HTTP 401)`,
      );
      expect(r.stderr + r.stdout).not.toMatch(/wrong-one|tok-|t0ken-service/);
      expect(r.stderr).not.toContain(Buffer.from(`${USER}:wrong-one`).toString("base64"));
    });
  },
);
