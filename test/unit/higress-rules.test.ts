// Project rules for Redis upstreams and cluster names, located in the file.
import { describe, expect, it } from "vitest";
import { parseProjectText } from "../../src/project/parse.js";
import { checkRules } from "../../src/project/rules.js";

const problems = (text: string) => {
  const parsed = parseProjectText(text, "orwasm.yaml");
  if (!parsed.data) return parsed.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
  return checkRules(parsed.data, "orwasm.yaml", parsed.where).map(
    (p) => `${p.line}:${p.col} ${p.path}: ${p.message}`,
  );
};

describe("Redis upstream rules", () => {
  it("a route proxying to a Redis upstream, a mocked Redis and a cluster name used twice are errors", () => {
    const text = [
      "upstreams:",
      "  - { name: cache, protocol: redis, servers: ['127.0.0.1:6379'], clusters: [outbound|6379||cache.dns] }",
      "  - name: other",
      "    protocol: redis",
      "    servers: ['127.0.0.1:6380']",
      "    mock: echo",
      "    clusters: [outbound|6379||cache.dns]",
      "servers:",
      "  - routes: [{ path: /, upstream: cache }]",
    ].join("\n");
    expect(problems(text)).toEqual([
      "6:11 upstreams.1.mock: a Redis upstream (protocol: redis) cannot be mocked by orwasm's echo",
      "7:16 upstreams.1.clusters.0: cluster name 'outbound|6379||cache.dns' already means upstream cache",
      "9:35 servers.0.routes.0.upstream: upstream 'cache' is a Redis server (protocol: redis); a route proxies HTTP",
    ]);
  });

  it("a protocol other than http or redis is a schema error at its line", () => {
    const text =
      "upstreams:\n  - { name: c, protocol: memcached, servers: ['a:1'] }\nservers:\n  - routes: [{ path: /, respond: {} }]";
    expect(problems(text).join("\n")).toMatch(/^2:\d+ upstreams\.0\.protocol: /);
  });
});
