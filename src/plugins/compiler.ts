// Locates the plugin's own AssemblyScript compiler (the version the plugin pins), never a global one.
import { join } from "node:path";
import { BuildError } from "../errors.js";
import { findPackage } from "./find-package.js";

/** The compiler a plugin builds with. */
export interface AscCompiler {
  version: string;
  /** The `asc` script, run with the current Node. */
  bin: string;
}

/** The AssemblyScript versions whose command line orwasm knows (what @solo-io/proxy-runtime 0.1.x needs). */
export const SUPPORTED_ASC = /^0\.14\.\d+$/;

/** Finds `assemblyscript` from the plugin folder upwards, or says to `npm install` there. */
export async function findAsc(pluginDir: string): Promise<AscCompiler> {
  const pkg = await findPackage(pluginDir, "assemblyscript");
  if (!pkg) {
    throw new BuildError(
      `the AssemblyScript compiler is not installed for the plugin in ${pluginDir}: ` +
        `run \`npm install\` in that folder (its package.json should pin assemblyscript 0.14.x ` +
        `and @solo-io/proxy-runtime)`,
    );
  }
  const version = pkg.json.version ?? "unknown";
  if (!SUPPORTED_ASC.test(version)) {
    throw new BuildError(
      `${pkg.dir} is AssemblyScript ${version}; orwasm builds plugins with AssemblyScript 0.14.x ` +
        `(the version @solo-io/proxy-runtime 0.1.x is written for): pin "assemblyscript": "0.14.7" ` +
        `in ${join(pluginDir, "package.json")} and run \`npm install\` there`,
    );
  }
  const rel = typeof pkg.json.bin === "string" ? pkg.json.bin : pkg.json.bin?.["asc"];
  return { version, bin: join(pkg.dir, rel ?? "bin/asc") };
}
