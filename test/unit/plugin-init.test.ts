// `orwasm plugin init`: each language's new folder builds and passes its own smoke checks and tests at once;
// bad names, unknown languages and non-empty folders are refused with exit 2 and nothing written.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { haveGo } from "../fixtures/go-plugins/build.js";

/** Inside the repo, so an AssemblyScript plugin finds the workspace's pinned compiler. */
const TMP = join(import.meta.dirname, "__tmp__", `plugin-init-${process.pid}`);
const GO = haveGo();
afterAll(async () => {
  await rm(TMP, { recursive: true, force: true });
});

describe("orwasm plugin init", () => {
  for (const lang of ["go", "higress", "assemblyscript"] as const) {
    it.skipIf(lang !== "assemblyscript" && !GO)(
      `--lang ${lang}: the new folder builds and its 4 checks pass under orwasm test`,
      async () => {
        await mkdir(TMP, { recursive: true });
        const init = await runCli(["plugin", "init", `new_${lang}`, "--lang", lang], TMP);
        expect(init.code, init.stderr).toBe(0);
        expect(init.stdout).toContain(`created new_${lang} (${lang})`);
        const files = await readdir(join(TMP, `new_${lang}`));
        expect(files).toContain("README.md");
        expect(files).toContain("orwasm.yaml");
        const r = await runCli(["test", `new_${lang}`], TMP);
        expect(r.stdout).toContain("4 passed, 0 failed");
        expect(r.code).toBe(0);
      },
      400_000,
    );
  }

  it("refuses a non-empty folder, a bad name and an unknown language with exit 2, writing nothing", async () => {
    const dir = join(TMP, "taken");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "keep.txt"), "mine");
    const taken = await runCli(["plugin", "init", "taken", "--lang", "go"], TMP);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("exists and is not empty; nothing was written");
    expect(await readdir(dir)).toEqual(["keep.txt"]);
    const bad = await runCli(["plugin", "init", "9lives", "--lang", "go"], TMP);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("must start with a letter");
    const lang = await runCli(["plugin", "init", "rusty", "--lang", "rust"], TMP);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain("Allowed choices are go, higress, assemblyscript.");
    expect((await readdir(TMP)).sort()).not.toContain("rusty");
  });
});
