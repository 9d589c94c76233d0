// Finding the Debian mirror this machine's apt already uses, in both apt source formats.
import { describe, expect, it } from "vitest";
import { parseAptSources, pickDebianMirror } from "../../src/docker/apt-sources.js";

const deb822 = `Types: deb
# a comment inside the stanza
URIs: http://mirror.invalid/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
`;

describe("pickDebianMirror", () => {
  it("reads a deb822 .sources file and trims the trailing slash", () => {
    const sources = parseAptSources([
      { name: "/etc/apt/sources.list.d/debian.sources", text: deb822 },
    ]);
    expect(pickDebianMirror(sources, "bookworm")).toBe("http://mirror.invalid/debian");
  });

  it("reads one-line format with [options], skipping comments and deb-src", () => {
    const text = [
      "# deb http://old.invalid/debian bookworm main",
      "deb-src http://src.invalid/debian bookworm main",
      "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] https://one.invalid/debian bookworm main contrib",
    ].join("\n");
    expect(
      pickDebianMirror(parseAptSources([{ name: "/etc/apt/sources.list", text }]), "bookworm"),
    ).toBe("https://one.invalid/debian");
  });

  it("skips sources for other suites, disabled stanzas and non-http URIs", () => {
    const text = `Types: deb
URIs: https://vendor.invalid/node_20.x
Suites: nodistro

Types: deb
Enabled: no
URIs: http://disabled.invalid/debian
Suites: bookworm

Types: deb
URIs: file:/srv/local-repo
Suites: bookworm

Types: deb deb-src
URIs: http://good.invalid/debian
Suites: bookworm
`;
    const sources = parseAptSources([{ name: "x.sources", text }]);
    expect(pickDebianMirror(sources, "bookworm")).toBe("http://good.invalid/debian");
  });

  it("takes the first matching source across files, in the order given", () => {
    const sources = parseAptSources([
      { name: "/etc/apt/sources.list", text: "deb http://first.invalid/debian bookworm main\n" },
      { name: "/etc/apt/sources.list.d/debian.sources", text: deb822 },
    ]);
    expect(pickDebianMirror(sources, "bookworm")).toBe("http://first.invalid/debian");
  });

  it("finds nothing when no source serves the suite", () => {
    const sources = parseAptSources([
      { name: "a.list", text: "deb http://x.invalid/ubuntu noble main\n" },
    ]);
    expect(pickDebianMirror(sources, "bookworm")).toBeUndefined();
  });

  it("reads a URIs field continued on the next line", () => {
    const text = "Types: deb\nURIs:\n http://cont.invalid/debian\nSuites: bookworm\n";
    expect(pickDebianMirror(parseAptSources([{ name: "c.sources", text }]), "bookworm")).toBe(
      "http://cont.invalid/debian",
    );
  });
});
