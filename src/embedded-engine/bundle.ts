// The embedded engine as two self-contained files for Debian bookworm's Node 18: serve.mjs (the entry) and
// worker-entry.js (what src/proxy-host's plugin worker threads import, found next to the bundle by its import.meta.url).
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BuildError } from "../errors.js";

/** File name → content of the bundle, as it is copied into the image (package.json makes worker-entry.js ESM). */
export type EmbeddedBundle = Record<string, string>;

/** Names of the bundle's files. */
export const BUNDLE_FILES = ["serve.mjs", "worker-entry.js", "package.json"] as const;

/** Node release the bundle must run on: Debian bookworm's nodejs package. */
export const BUNDLE_TARGET = "node18";

// The repository root, from src/embedded-engine/ or dist/embedded-engine/ alike.
const ROOT = new URL("../../", import.meta.url);

const PACKAGE_JSON = `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`;

// CommonJS dependencies call require(); an ESM bundle has none unless it makes one.
const REQUIRE_BANNER = [
  'import { createRequire as __orwasmCreateRequire } from "node:module";',
  "const require = __orwasmCreateRequire(import.meta.url);",
].join("\n");

/**
 * echo-server.ts runs itself when `import.meta.url` is the script Node started; bundled, both are serve.mjs and it
 * would start an echo server on 8080. Inside the bundle it gets its own (source) URL back, so the guard is false.
 */
const ECHO_SERVER = "src/upstream/echo-server.ts";

/** Bundles the entry and the worker with esbuild, in memory. esbuild is a devDependency: only checkouts call this. */
export async function buildEmbeddedBundle(): Promise<EmbeddedBundle> {
  const esbuild = await import("esbuild");
  const echoPath = fileURLToPath(new URL(ECHO_SERVER, ROOT));
  const result = await esbuild
    .build({
      absWorkingDir: fileURLToPath(ROOT),
      entryPoints: {
        serve: "src/embedded-engine/serve-main.ts",
        "worker-entry": "src/proxy-host/runtime/worker-entry.ts",
      },
      outdir: "out",
      write: false,
      bundle: true,
      platform: "node",
      format: "esm",
      target: BUNDLE_TARGET,
      banner: { js: REQUIRE_BANNER },
      logLevel: "silent",
      plugins: [
        {
          name: "echo-server-own-url",
          setup(build) {
            build.onLoad({ filter: /echo-server\.ts$/ }, async (args) => {
              if (args.path !== echoPath) return undefined;
              const text = await readFile(args.path, "utf8");
              if (!text.includes("import.meta.url"))
                throw new Error(
                  `${ECHO_SERVER} no longer reads import.meta.url: revisit bundle.ts`,
                );
              const own = JSON.stringify(pathToFileURL(args.path).href);
              return { contents: text.replaceAll("import.meta.url", own), loader: "ts" };
            });
          },
        },
      ],
    })
    .catch((err: unknown) => {
      const errors = (
        err as { errors?: { text: string; location?: { file: string; line: number } }[] }
      ).errors;
      throw new BuildError(
        "bundling the embedded engine failed",
        errors?.map((e) =>
          e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text,
        ) ?? [String(err)],
      );
    });
  const out: EmbeddedBundle = { "package.json": PACKAGE_JSON };
  for (const f of result.outputFiles) {
    const name = f.path.endsWith("/serve.js") ? "serve.mjs" : f.path.split("/").pop()!;
    out[name] = f.text;
  }
  return out;
}

/**
 * The bundle to put into the image: the files `npm run build` wrote next to this module when running from dist/,
 * else (a checkout running the TypeScript sources) bundled now.
 */
export async function loadEmbeddedBundle(): Promise<EmbeddedBundle> {
  if (import.meta.url.endsWith(".ts")) return buildEmbeddedBundle();
  const out: EmbeddedBundle = {};
  for (const name of BUNDLE_FILES) {
    const text = await readFile(new URL(`./${name}`, import.meta.url), "utf8").catch(
      () => undefined,
    );
    if (text === undefined)
      throw new BuildError(
        `the embedded engine bundle is missing (${fileURLToPath(new URL(`./${name}`, import.meta.url))}): run \`npm run build\``,
      );
    out[name] = text;
  }
  return out;
}
