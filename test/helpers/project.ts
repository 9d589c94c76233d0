// Builds a Project from YAML text and declared plugin exports, for renderer tests that need no .wasm on disk.
import { parseProjectText } from "../../src/project/parse.js";
import type { Project } from "../../src/project/project.js";
import { checkRules } from "../../src/project/rules.js";
import { formatProblems } from "../../src/errors.js";

/** `exports` lists each plugin's proxy_on_* callbacks (by name); everything else a real module has is implied. */
export function projectFrom(yaml: string, exports: Record<string, string[]>): Project {
  const parsed = parseProjectText(yaml, "orwasm.yaml");
  if (!parsed.data) throw new Error(formatProblems(parsed.problems));
  const problems = checkRules(parsed.data, "orwasm.yaml", parsed.where);
  if (problems.length) throw new Error(formatProblems(problems));
  return {
    file: "/project/orwasm.yaml",
    dir: "/project",
    data: parsed.data,
    plugins: parsed.data.plugins.map((p) => {
      const callbacks = exports[p.name] ?? [];
      return {
        data: p,
        wasmPath: `/project/${p.name}.wasm`,
        sha256: "0".repeat(64),
        info: {
          imports: [],
          exports: [
            "memory",
            "proxy_abi_version_0_2_1",
            "proxy_on_context_create",
            "proxy_on_configure",
            "malloc",
            ...callbacks,
          ],
          abiVersion: "proxy_abi_version_0_2_1",
          callbacks: ["proxy_on_context_create", "proxy_on_configure", ...callbacks].sort(),
        },
      };
    }),
  };
}
