// Finds the machine's Go toolchain and checks it can build proxy-wasm plugins (wasip1 c-shared needs Go 1.24).
import { execa } from "execa";
import { BuildError } from "../errors.js";

/** The oldest Go whose `-buildmode=c-shared` for wasip1 exports `//go:wasmexport` functions as a reactor. */
export const MIN_GO = { major: 1, minor: 24 } as const;

/** The toolchain a Go plugin builds with. */
export interface GoToolchain {
  /** The command run (`go`, or ORWASM_GO). */
  bin: string;
  /** `go1.26.8` as `go env GOVERSION` prints it (after any GOTOOLCHAIN switch go.mod asks for). */
  version: string;
}

/** `go1.24.1` -> [1, 24]; devel or unparsable versions -> undefined. */
export function parseGoVersion(version: string): [number, number] | undefined {
  const m = /^go(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Runs `go env GOVERSION` in the plugin folder; a missing or too old Go is a BuildError naming both versions. */
export async function findGo(
  pluginDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GoToolchain> {
  const bin = env["ORWASM_GO"] || "go";
  const need = `Go ${MIN_GO.major}.${MIN_GO.minor} or newer`;
  const r = await execa(bin, ["env", "GOVERSION"], {
    cwd: pluginDir,
    env,
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 120_000,
  });
  if (r.failed) {
    const missing = (r as { code?: string }).code === "ENOENT";
    if (missing) {
      throw new BuildError(
        `building a Go plugin needs ${need} (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared), ` +
          `but no \`${bin}\` was found on PATH: install Go ${MIN_GO.major}.${MIN_GO.minor}+ or set ORWASM_GO to its go binary`,
      );
    }
    throw new BuildError(
      `\`${bin} env GOVERSION\` failed in ${pluginDir}`,
      String(r.all ?? "")
        .split(/\r?\n/)
        .slice(-20),
    );
  }
  const version = String(r.stdout).trim();
  const parsed = parseGoVersion(version);
  const old =
    parsed &&
    (parsed[0] < MIN_GO.major || (parsed[0] === MIN_GO.major && parsed[1] < MIN_GO.minor));
  if (!version || old) {
    throw new BuildError(
      `\`${bin}\` is ${version || "of an unknown version"}; building a Go plugin needs ${need} ` +
        `(GOOS=wasip1 -buildmode=c-shared with //go:wasmexport arrived in Go 1.24; TinyGo builds are not run by orwasm)`,
    );
  }
  return { bin, version };
}
