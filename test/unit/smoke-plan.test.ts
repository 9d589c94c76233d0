// What a smoke run starts for a project: echo containers per mock upstream host, the gateway ports it reaches.
import { describe, expect, it } from "vitest";
import { planSmoke } from "../../src/smoke/plan.js";
import { projectFrom } from "../helpers/project.js";

const plan = (yaml: string) => planSmoke(projectFrom(yaml, {}), "orwasm.yaml");
const ROUTE = `routes: [{ path: /, respond: { body: ok } }]`;

describe("echo containers", () => {
  it("one container answers for every host of a mock upstream on its port; real upstreams get none", () => {
    const p = plan(`
upstreams:
  - { name: a, servers: ["backend:8080", "backend-2:8080"], mock: echo }
  - { name: real, servers: ["api.example.com:443"] }
servers: [{ listen: 8080, ${ROUTE} }]
`);
    expect(p.problems).toEqual([]);
    expect(p.echoes).toEqual([
      { upstreams: ["a"], aliases: ["backend", "backend-2"], ports: [8080] },
    ]);
  });
  it("a host used with two ports gets one container listening on both, not two containers sharing its name", () => {
    const p = plan(`
upstreams:
  - { name: a, servers: ["svc:8080"], mock: echo }
  - { name: b, servers: ["svc:9090", "other:7000"], mock: echo }
servers: [{ listen: 8080, ${ROUTE} }]
`);
    expect(p.echoes).toEqual([
      { upstreams: ["b"], aliases: ["other"], ports: [7000] },
      { upstreams: ["a", "b"], aliases: ["svc"], ports: [8080, 9090] },
    ]);
  });
  it("IP addresses, localhost and unix sockets cannot be stood in for: problems name the server entry", () => {
    const p = plan(`
upstreams:
  - { name: a, servers: ["10.0.0.1:80", "localhost:81", "unix:/tmp/s.sock", "[::1]:82"], mock: echo }
servers: [{ listen: 8080, ${ROUTE} }]
`);
    expect(p.problems.map((x) => `${x.path}: ${x.message}`)).toEqual([
      "upstreams.0.servers.0: 10.0.0.1:80 names an IP address; an echo container stands in for a mock upstream by host name",
      "upstreams.0.servers.1: localhost:81 names localhost, which is the gateway's own container; an echo container stands in for a mock upstream by host name",
      "upstreams.0.servers.2: unix:/tmp/s.sock is a unix socket; an echo container stands in for a mock upstream by host name",
      "upstreams.0.servers.3: [::1]:82 names an IP address; an echo container stands in for a mock upstream by host name",
    ]);
  });
});

describe("gateway ports", () => {
  it("publishes each distinct listen port once; a named server gets its name as Host", () => {
    const p = plan(`
servers:
  - { listen: 8080, ${ROUTE} }
  - { listen: "0.0.0.0:9000", serverName: [api.example.com], ${ROUTE} }
  - { listen: 8080, serverName: ["*.example.org"], ${ROUTE} }
`);
    expect(p.ports).toEqual([8080, 9000]);
    expect(p.servers.map((s) => [s.port, s.hostHeader])).toEqual([
      [8080, undefined],
      [9000, "api.example.com"],
      [8080, "smoke.example.org"],
    ]);
  });
  it("a check aimed at a loopback-only server is a problem naming the check", () => {
    const p = plan(`
servers:
  - { listen: 8080, ${ROUTE} }
  - { listen: "127.0.0.1:9000", ${ROUTE} }
smoke:
  - { name: admin answers, request: { server: 1 }, expect: { status: 200 } }
`);
    expect(p.ports).toEqual([8080]);
    expect(p.problems.map((x) => `${x.path}: ${x.message}`)).toEqual([
      "smoke.0.request.server: check 'admin answers' targets servers.1, which smoke cannot reach: it listens on 127.0.0.1:9000, inside the container only",
    ]);
  });
});
