import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactSpec, KNOWN_CHECKSUMS } from "../../src/engine/artifacts.js";
import { fetchVerified } from "../../src/engine/cache.js";
import { lockArtifacts } from "../../src/engine/lock.js";
import {
  LOCKFILE_VERSION,
  lockfileSha256,
  parseLockfile,
  serializeLockfile,
  type Lockfile,
} from "../../src/engine/lockfile.js";
import { obtainArtifact, parseMirror } from "../../src/engine/obtain.js";
import {
  conflictWarnings,
  forArch,
  requirePinned,
  resolveArtifacts,
} from "../../src/engine/resolve.js";
import { ChecksumMismatchError, verifyArtifactBytes } from "../../src/engine/verify.js";
import { ConfigError } from "../../src/errors.js";
import { engineSchema } from "../../src/project/schema-engine.js";
import { FAKE_VERSIONS, makeFakeEngineSources } from "../fixtures/fake-engine-sources.js";

const tmp = mkdtempSync(join(tmpdir(), "orwasm-sources-"));
const mirrorDir = join(tmp, "mirror");
let fakeLock: Lockfile;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  fakeLock = makeFakeEngineSources(mirrorDir, FAKE_VERSIONS);
  // A mirror over HTTP on loopback, serving mirrorDir by file name.
  server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").replace(/^\/orwasm\//, ""));
    try {
      res.end(readFileSync(join(mirrorDir, name)));
    } catch {
      res.statusCode = 404;
      res.end("not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orwasm`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const openresty = () => artifactSpec("openresty", FAKE_VERSIONS.openresty);
const fakeEngine = () => engineSchema.parse({ ...FAKE_VERSIONS });

describe("checksum verification", () => {
  it("accepts bytes whose sha256 matches the pin", () => {
    const bytes = new TextEncoder().encode("tarball bytes");
    expect(
      verifyArtifactBytes({ file: "x.tar.gz", sha256: sha(bytes) }, bytes, "/m/x.tar.gz"),
    ).toBe(sha(bytes));
  });

  it("refuses one flipped byte with a message holding the file, its origin and both hashes", () => {
    const bytes = readFileSync(join(mirrorDir, "openresty-1.21.4.99.tar.gz"));
    const good = sha(bytes);
    const flipped = Uint8Array.from(bytes);
    flipped[100] = flipped[100]! ^ 0x01;
    const origin = join(mirrorDir, "openresty-1.21.4.99.tar.gz");
    let err: unknown;
    try {
      verifyArtifactBytes({ file: "openresty-1.21.4.99.tar.gz", sha256: good }, flipped, origin);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    const msg = (err as Error).message;
    expect(msg).toContain("openresty-1.21.4.99.tar.gz");
    expect(msg).toContain(origin);
    expect(msg).toContain(`expected sha256 ${good}`);
    expect(msg).toContain(`actual   sha256 ${sha(flipped)}`);
    expect(sha(flipped)).not.toBe(good);
  });
});

describe("mirrors", () => {
  it("a mirror folder serves a file by its upstream name", async () => {
    const got = await obtainArtifact(openresty(), { mirror: parseMirror(mirrorDir, "/") });
    expect(sha(got.data)).toBe(fakeLock.artifacts.find((a) => a.name === "openresty")!.sha256);
    expect(got.origin).toBe(join(mirrorDir, "openresty-1.21.4.99.tar.gz"));
  });

  it("a missing file in a mirror folder is reported with its name and the folder", async () => {
    const empty = join(tmp, "empty-mirror");
    mkdirSync(empty, { recursive: true });
    await expect(obtainArtifact(openresty(), { mirror: parseMirror(empty, "/") })).rejects.toThrow(
      `openresty-1.21.4.99.tar.gz (openresty 1.21.4.99) is not in the mirror folder ${empty}`,
    );
  });

  it("a mirror URL serves files by name, and a missing one is reported with its name, the mirror and the HTTP status", async () => {
    const got = await obtainArtifact(openresty(), { mirror: parseMirror(baseUrl, "/") });
    expect(got.origin).toBe(`${baseUrl}/openresty-1.21.4.99.tar.gz`);
    const missing = artifactSpec("openresty", "9.9.9");
    await expect(
      obtainArtifact(missing, { mirror: parseMirror(`${baseUrl}/`, "/") }),
    ).rejects.toThrow(
      `openresty-9.9.9.tar.gz (openresty 9.9.9) is not in the mirror ${baseUrl}: ${baseUrl}/openresty-9.9.9.tar.gz answered HTTP 404`,
    );
  });

  it("a refused connection names the artifact, the URL and the reason", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const spec = { ...openresty(), url: `http://127.0.0.1:${port}/openresty-1.21.4.99.tar.gz` };
    await expect(obtainArtifact(spec)).rejects.toThrow(
      new RegExp(
        `could not download openresty 1\\.21\\.4\\.99 from http://127\\.0\\.0\\.1:${port}/\\S+: ECONNREFUSED`,
      ),
    );
  });
});

describe("orwasm lock (library)", () => {
  it("pins every artifact of both architectures from a mirror, with the files' real sha256", async () => {
    const { lockfile, outcomes } = await lockArtifacts(fakeEngine(), undefined, {
      mirror: parseMirror(mirrorDir, "/"),
    });
    const keys = lockfile.artifacts.map((a) => `${a.name}${a.arch ? `@${a.arch}` : ""}`);
    expect(keys).toEqual([
      "openresty",
      "wasm-nginx-module",
      "wasmtime-c-api@x86_64",
      "wasmtime-c-api@aarch64",
      "lua-resty-http",
    ]);
    for (const a of lockfile.artifacts) {
      expect(a.sha256).toBe(sha(readFileSync(join(mirrorDir, a.file))));
    }
    expect(outcomes.every((o) => o.status === "new")).toBe(true);
  });

  it("stops on a file that contradicts the built-in pin, naming both hashes and where it came from", async () => {
    // A file under the real release's name but with other bytes: the checksum orwasm ships must reject it.
    const impostor = join(tmp, "impostor-mirror");
    mkdirSync(impostor, { recursive: true });
    writeFileSync(join(impostor, "openresty-1.21.4.2.tar.gz"), "not the release");
    const run = lockArtifacts(engineSchema.parse({}), undefined, {
      mirror: parseMirror(impostor, "/"),
    });
    await expect(run).rejects.toThrow(ChecksumMismatchError);
    await expect(run).rejects.toThrow(
      `expected sha256 ${KNOWN_CHECKSUMS["openresty-1.21.4.2.tar.gz"]!.sha256}`,
    );
    await expect(run).rejects.toThrow(
      `actual   sha256 ${sha(new TextEncoder().encode("not the release"))}`,
    );
    await expect(run).rejects.toThrow(`from ${join(impostor, "openresty-1.21.4.2.tar.gz")}`);
    await expect(run).rejects.toThrow(/built into orwasm, from openresty\/homebrew-brew/);
  });

  it("verifies existing lockfile pins and reports them as verified", async () => {
    const { outcomes } = await lockArtifacts(fakeEngine(), fakeLock, {
      mirror: parseMirror(mirrorDir, "/"),
    });
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill("verified"));
  });
});

describe("the lockfile", () => {
  it("round-trips through its text, and its text is stable", () => {
    const text = serializeLockfile(fakeLock);
    const again = parseLockfile(text, "orwasm.lock");
    expect(serializeLockfile(again)).toBe(text);
    expect(JSON.parse(text).lockfileVersion).toBe(1);
    expect(lockfileSha256(again)).toBe(sha(new TextEncoder().encode(text)));
  });

  it("points at the line and key of a malformed sha256, and refuses a newer format", () => {
    const obj = JSON.parse(serializeLockfile(fakeLock));
    obj.artifacts[1].sha256 = "NOT-A-HASH";
    const text = JSON.stringify(obj, null, 2);
    const line = text.split("\n").findIndex((l) => l.includes("NOT-A-HASH")) + 1;
    try {
      parseLockfile(text, "orwasm.lock");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems[0]).toMatchObject({
        file: "orwasm.lock",
        line,
        path: "artifacts.1.sha256",
      });
    }
    expect(() => parseLockfile('{"lockfileVersion": 2, "artifacts": []}', "orwasm.lock")).toThrow(
      /lockfileVersion 1/,
    );
  });
});

describe("pins decide what may be used", () => {
  it("without a lockfile only the artifacts orwasm ships checksums for are pinned, and a build refuses the rest by name", () => {
    const engine = engineSchema.parse({});
    const needed = forArch(resolveArtifacts(engine), "x86_64");
    expect(needed.filter((a) => a.sha256).map((a) => a.file)).toEqual([
      "openresty-1.21.4.2.tar.gz",
      "lua-resty-http-0.17.2.tar.gz",
    ]);
    try {
      requirePinned(needed, "orwasm.lock");
      expect.unreachable();
    } catch (e) {
      const msgs = (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      expect(msgs).toHaveLength(2);
      expect(msgs[0]).toMatch(
        /^wasm-nginx-module: wasm-nginx-module-0\.7\.0\.tar\.gz has no pinned sha256 .*run `orwasm lock`/,
      );
      expect(msgs[1]).toMatch(/^wasmtime-c-api@x86_64: /);
    }
  });

  it("a lockfile entry for another version does not pin the requested one, and says so", () => {
    const engine = engineSchema.parse({ ...FAKE_VERSIONS, wasmNginxModule: "0.6.5" });
    const a = resolveArtifacts(engine, fakeLock).find((x) => x.name === "wasm-nginx-module")!;
    expect(a.sha256).toBeNull();
    expect(a.stale).toEqual({ version: "0.7.99", file: "wasm-nginx-module-0.7.99.tar.gz" });
  });

  it("a lockfile cannot override a published checksum orwasm ships: the published one is used and the edit is reported", () => {
    const engine = engineSchema.parse({});
    const edited: Lockfile = {
      lockfileVersion: LOCKFILE_VERSION,
      artifacts: [{ ...artifactSpec("openresty", "1.21.4.2"), sha256: "e".repeat(64) }],
    };
    const resolved = resolveArtifacts(engine, edited);
    const or = resolved.find((a) => a.name === "openresty")!;
    expect(or.sha256).toBe(KNOWN_CHECKSUMS["openresty-1.21.4.2.tar.gz"]!.sha256);
    const warnings = conflictWarnings(resolved, "orwasm.lock");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`pins openresty-1.21.4.2.tar.gz at sha256 ${"e".repeat(64)}`);
  });
});

describe("the artifact cache", () => {
  it("serves a verified copy without going to the mirror again, and replaces a damaged copy", async () => {
    const cacheDir = join(tmp, "cache");
    const entry = fakeLock.artifacts.find((a) => a.name === "lua-resty-http")!;
    const first = await fetchVerified(entry, { mirror: parseMirror(mirrorDir, "/"), cacheDir });
    expect(first.cached).toBe(false);
    const gone = join(tmp, "gone");
    const second = await fetchVerified(entry, { mirror: parseMirror(gone, "/"), cacheDir });
    expect(second.cached).toBe(true);
    expect(sha(second.data)).toBe(entry.sha256);
    writeFileSync(join(cacheDir, entry.sha256, entry.file), "damaged");
    const third = await fetchVerified(entry, { mirror: parseMirror(mirrorDir, "/"), cacheDir });
    expect(third.cached).toBe(false);
    expect(sha(third.data)).toBe(entry.sha256);
  });
});
