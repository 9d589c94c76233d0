// Every reviewed golden nginx.conf is one nginx itself accepts: `nginx -t` on each, wasm directives stubbed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nginxMissing, nginxTest } from "../helpers/nginx.js";
import { requireOrSkip } from "../helpers/skip.js";
import { joinRuntime } from "../golden/conf-split.js";

const missing = nginxMissing();
const skip = requireOrSkip("nginx", !missing, missing ?? "");
const dir = join(import.meta.dirname, "..", "golden", "__snapshots__");
const confs = readdirSync(dir).filter((f) => f.endsWith(".conf"));

describe.skipIf(skip)(
  `golden nginx.conf files under nginx -t${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    it("there are golden confs to check", () => expect(confs.length).toBeGreaterThan(0));
    it.each(confs)("nginx -t accepts %s", (f) => {
      const t = nginxTest(
        joinRuntime(
          readFileSync(join(dir, f), "utf8"),
          readFileSync(join(dir, "lua-runtime.lua"), "utf8"),
        ),
      );
      expect(t.output).toContain("test is successful");
      expect(t.ok).toBe(true);
    });
  },
);
