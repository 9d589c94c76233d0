// What nginx and lua-nginx-module store for URIs and header bytes, on the fast paths and the slow ones.
import { describe, expect, it } from "vitest";
import {
  escapeHeaderName,
  escapeHeaderValue,
  escapeUri,
  normaliseUri,
} from "../../src/proxy-host/nginx/escape.js";

describe("nginx URI normalisation and header escaping", () => {
  it.each([
    ["/a/b", "/a/b"],
    ["/a/", "/a/"],
    ["/", "/"],
    ["/.hidden/x", "/.hidden/x"],
    ["/...", "/..."],
    ["/a//b", "/a/b"],
    ["/a/./b", "/a/b"],
    ["/a/../b", "/b"],
    ["/a/..", "/"],
    ["/a/.", "/a/"],
    ["/%41%2fb", "/A/b"],
    ["/caf%C3%A9", "/café"],
  ])("r->uri of %s is %s", (raw, uri) => {
    expect(normaliseUri(raw)).toBe(uri);
  });

  it("leaves ASCII names and values alone and escapes what lua-nginx-module escapes", () => {
    expect(escapeHeaderName("x-hello")).toBe("x-hello");
    expect(escapeHeaderName("a b")).toBe("a%20b");
    expect(escapeHeaderName("é")).toBe("%C3%A9");
    expect(escapeHeaderValue("world\tok")).toBe("world\tok");
    expect(escapeHeaderValue("a\u0001b\nc")).toBe("a%01b%0Ac");
    expect(escapeHeaderValue("café")).toBe("café");
    expect(escapeUri("/a b?c#d")).toBe("/a%20b%3Fc%23d");
    expect(escapeUri("/plain")).toBe("/plain");
  });
});
