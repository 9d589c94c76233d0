// Image references as users write them: what is accepted, how it is split, and what is refused with which reason.
import { describe, expect, it } from "vitest";
import { formatRef, isLoopbackRegistry, parseImageRef } from "../../src/oci/reference.js";
import { parseChallenge } from "../../src/oci/registry.js";

const D = `sha256:${"ab".repeat(32)}`;

describe("parseImageRef", () => {
  it("splits oci://host:port/repo:tag@digest, with or without the scheme", () => {
    expect(parseImageRef(`oci://127.0.0.1:5000/plugins/add-header:1.0@${D}`)).toEqual({
      registry: "127.0.0.1:5000",
      repository: "plugins/add-header",
      tag: "1.0",
      digest: D,
    });
    expect(parseImageRef("registry.example/a/b/c:v2")).toEqual({
      registry: "registry.example",
      repository: "a/b/c",
      tag: "v2",
    });
    expect(parseImageRef(`localhost/p@${D}`)).toEqual({
      registry: "localhost",
      repository: "p",
      digest: D,
    });
  });

  it("formats back to the same text", () => {
    const text = `registry.example:5000/plugins/x:1@${D}`;
    expect(formatRef(parseImageRef(text))).toBe(text);
    expect(formatRef(parseImageRef(text), { scheme: true })).toBe(`oci://${text}`);
  });

  it.each([
    ["plugins/add-header:1", "'plugins' is not a registry host"],
    ["add-header:1", "it names no registry host"],
    ["registry.example/Plugins:1", "'Plugins' is not a repository name"],
    ["registry.example/p", "give a tag (:1.0) or a digest"],
    ["registry.example/p:1@sha256:abc", "the digest must be sha256: and 64 lowercase hex digits"],
    ["registry.example/p:-bad", "'-bad' is not a valid tag"],
  ])("refuses %s: %s", (input, why) => {
    expect(() => parseImageRef(input)).toThrow(why);
  });
});

describe("isLoopbackRegistry: plain HTTP without --insecure only there", () => {
  it.each([
    ["127.0.0.1:5000", true],
    ["127.8.9.1", true],
    ["localhost:5000", true],
    ["[::1]:5000", true],
    ["registry.example:5000", false],
    ["10.0.0.1:5000", false],
    ["127.0.0.1.example:80", false],
  ])("%s → %s", (host, loopback) => {
    expect(isLoopbackRegistry(host)).toBe(loopback);
  });
});

describe("parseChallenge", () => {
  it("reads realm, service and scope of a Bearer challenge", () => {
    expect(
      parseChallenge(
        ' realm="https://auth.example/token",service="registry.example",scope="repository:p:pull"',
      ),
    ).toEqual({
      realm: "https://auth.example/token",
      service: "registry.example",
      scope: "repository:p:pull",
    });
  });
});
