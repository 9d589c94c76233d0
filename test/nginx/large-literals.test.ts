// Configs and fixed-response bodies of any size, hostile content included, judged by a real nginx: the rendered
// conf passes `nginx -t`, and a running nginx hands on_configure and the client exactly the bytes written.
import { describe, expect, it } from "vitest";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget } from "../../src/render/target.js";
import { nginxMissing, nginxTest, runInNginx } from "../helpers/nginx.js";
import { projectFrom } from "../helpers/project.js";
import { requireOrSkip } from "../helpers/skip.js";

const missing = nginxMissing();
const skip = requireOrSkip("nginx", !missing, missing ?? "");

/** Deterministic bytes: hostile nginx and Lua syntax, non-ASCII, NUL, then a pseudo-random tail. */
function hostileText(size: number): string {
  const seed =
    '} return 200 injected; { ]] ]=] [[ "quote" \\ back\\slash \u0000 nul \r\n crlf é 日本語 🚀 ; # -- $var\n';
  const parts: string[] = [];
  let length = 0;
  let x = 12345;
  while (length < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const part = seed + String.fromCodePoint(0x20 + (x % 0x2000));
    parts.push(part);
    length += Buffer.byteLength(part);
  }
  const out = parts.join("");
  // Trim to exactly `size` bytes at a character boundary (pad with ASCII).
  let buf = Buffer.from(out, "utf8").subarray(0, size);
  while (buf.toString("utf8").includes("\uFFFD")) buf = buf.subarray(0, buf.length - 1);
  const text = buf.toString("utf8");
  return text + "x".repeat(size - Buffer.byteLength(text));
}

function yamlString(s: string): string {
  return JSON.stringify(s); // YAML's double-quoted scalars accept JSON escapes, \u0000 included
}

function render(yaml: string, exports: Record<string, string[]>): string {
  const p = projectFrom(yaml, exports);
  return renderNginxConf(p, defaultTarget(p));
}

describe("a real nginx under CI", () => {
  it("is installed by the test setup (scripts/setup-nginx.sh) when CI=true", () => {
    if (process.env.CI !== "true") return;
    expect(missing).toBeUndefined();
  });
});

describe.skipIf(skip)(
  `configs and bodies of any size in a real nginx${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const SIZES = [1, 2_000, 3_900, 4_100, 10_240, 1_048_576];

    it.each(SIZES)(
      "a %i-byte hostile config reaches on_configure byte for byte, and nginx -t accepts the conf",
      async (size) => {
        const config = hostileText(size);
        const conf = render(
          `plugins:
  - { name: deny, file: deny.wasm, config: ${yamlString(config)} }
servers:
  - routes: [{ path: /, respond: { body: "ok" }, plugins: [deny] }]`,
          { deny: ["proxy_on_request_headers"] },
        );
        const t = nginxTest(conf);
        expect(t.output).not.toMatch(/emerg/);
        expect(t.ok).toBe(true);
        const run = await runInNginx(conf, ["/"]);
        expect(run.configured.map((c) => c.plugin)).toEqual(["deny"]);
        expect(run.configured[0]!.bytes.equals(Buffer.from(config, "utf8"))).toBe(true);
        expect(run.responses[0]!.body.toString("utf8")).toBe("ok");
        expect(run.log).not.toMatch(/\[(emerg|alert|crit|error)\]/);
      },
    );

    it.each(SIZES)(
      "a %i-byte hostile fixed-response body reaches the client byte for byte",
      async (size) => {
        const body = hostileText(size);
        const conf = render(
          `servers:
  - routes:
      - { path: /, respond: { status: 200, body: ${yamlString(body)}, headers: { x-note: ${yamlString(
        "} return 200 x; { " + "v".repeat(3000),
      )} } } }`,
          {},
        );
        expect(nginxTest(conf).ok).toBe(true);
        const run = await runInNginx(conf, ["/"]);
        const got = run.responses[0]!;
        expect(got.status).toBe(200);
        expect(got.body.equals(Buffer.from(body, "utf8"))).toBe(true);
        expect(got.headers.get("x-note")).toBe("} return 200 x; { " + "v".repeat(3000));
      },
    );

    it("several 1 MiB configs of the worst escaping (every byte non-ASCII) all arrive intact", async () => {
      const bytes = Buffer.alloc(1_048_576, 0);
      for (let i = 0; i < bytes.length; i += 2) bytes.set([0xc3, 0xa9], i); // "é" repeated: 4 escape bytes each
      const config = bytes.toString("utf8");
      const conf = render(
        `plugins:
  - { name: a, file: a.wasm, config: ${yamlString(config)} }
servers:
  - routes:
      - { path: /, respond: {}, plugins: [a] }
      - { path: /b, respond: {}, plugins: [{ name: a, config: ${yamlString(config + "b")} }] }
      - { path: /c, respond: {}, plugins: [{ name: a, config: ${yamlString(config + "c")} }] }`,
        { a: ["proxy_on_request_headers"] },
      );
      expect(nginxTest(conf).ok).toBe(true);
      const run = await runInNginx(conf);
      expect(run.configured.map((c) => c.bytes.toString("utf8"))).toEqual([
        config,
        config + "b",
        config + "c",
      ]);
    });
  },
);
