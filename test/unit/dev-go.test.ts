// `orwasm dev` with the Go examples: served over HTTP on a free port, a Go plugin's headers and its http call
// (to a `mock: echo` upstream's host:port, echoed as a smoke run's echo container would answer it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../src/gateway/dev-server.js";
import { buildGoFixture, haveGo } from "../fixtures/go-plugins/build.js";

const GO = haveGo();

describe.skipIf(!GO)("orwasm dev with Go plugins", () => {
  const servers: DevServer[] = [];
  const logs: string[] = [];
  let headers: DevServer;
  let httpCall: DevServer;
  beforeAll(async () => {
    await buildGoFixture("go-headers");
    await buildGoFixture("go-http-call");
    const start = (example: string) =>
      startDevServer(`examples/${example}/orwasm.yaml`, {
        port: 0,
        host: "127.0.0.1",
        watch: false,
        log: (l) => void logs.push(l),
      });
    headers = await start("go-headers");
    httpCall = await start("go-http-call");
    servers.push(headers, httpCall);
  }, 400_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it("go-headers: the client gets x-go-hello and the echo upstream saw x-go-request", async () => {
    const res = await fetch(`${headers.urls[0]}/dev?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-go-hello")).toBe("world");
    const echoed = (await res.json()) as { headers: Record<string, string> };
    expect(echoed.headers["x-go-request"]).toBe("seen by go-headers");
    expect(logs.some((l) => l.includes("go-headers: request to /dev?x=1"))).toBe(true);
  });

  it("go-http-call: the call to authz:9000 (a mock: echo upstream) answers 200 and the request resumes", async () => {
    const res = await fetch(`${httpCall.urls[0]}/orders`);
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { headers: Record<string, string> };
    expect(echoed.headers["x-authz-status"]).toBe("200");
  });
});
