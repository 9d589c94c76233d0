// The embedded gateway must pick the same location nginx picks.
import { describe, expect, it } from "vitest";
import { matchRoute } from "../../src/gateway/router.js";
import type { RouteData } from "../../src/project/schema.js";

const r = (path: string, match: RouteData["match"] = "prefix"): RouteData => ({
  path,
  match,
  plugins: [],
  upstream: "u",
});

describe("nginx location matching", () => {
  const routes = [
    r("/"),
    r("/api"),
    r("/api/v1"),
    r("/api/v1/exact", "exact"),
    r("^/api/v1/items/[0-9]+$", "regex"),
    r("\\.png$", "regex"),
  ];

  it("prefers an exact match over everything", () => {
    expect(matchRoute(routes, "/api/v1/exact")).toBe(3);
  });
  it("lets the first matching regex beat the longest prefix", () => {
    expect(matchRoute(routes, "/api/v1/items/42")).toBe(4);
    expect(matchRoute(routes, "/api/v1/logo.png")).toBe(5);
  });
  it("falls back to the longest matching prefix, whatever the declaration order", () => {
    expect(matchRoute(routes, "/api/v1/other")).toBe(2);
    expect(matchRoute([r("/api/v1"), r("/api")], "/api/v1/x")).toBe(0);
    expect(matchRoute(routes, "/apix")).toBe(1); // nginx prefixes are plain string prefixes
    expect(matchRoute(routes, "/elsewhere")).toBe(0);
  });
  it("matches the decoded path without the query, with slashes merged", () => {
    expect(matchRoute(routes, "/api//v1/exact?x=1")).toBe(3);
    expect(matchRoute(routes, "/api/v1/%65xact")).toBe(3);
  });
  it("answers undefined (nginx's 404) when nothing matches", () => {
    expect(matchRoute([r("/api")], "/")).toBeUndefined();
  });
});
