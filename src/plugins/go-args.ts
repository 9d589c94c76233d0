// The `go build` command line and environment for a proxy-wasm plugin: one recipe, also part of the cache key.

/** What decides the command line. */
export interface GoArgsInput {
  /** The package to build, relative to the module folder (`.`, `./cmd/plugin`). */
  pkg: string;
  /** Output path (the temp file next to the final .wasm). */
  outFile: string;
  /** The user's GOFLAGS: a `-mod=` there wins over orwasm's. */
  goflags: string;
  /** The plugin folder has vendor/modules.txt: build from it (`-mod=vendor`), as go itself would. */
  vendored: boolean;
}

/** Environment variables that change what `go build` writes, so they are part of the cache key. */
export const GO_ENV_KEYS = [
  "GOFLAGS",
  "GOEXPERIMENT",
  "GOWASM",
  "CGO_ENABLED",
  "GOTOOLCHAIN",
] as const;

/**
 * `go build -buildmode=c-shared -trimpath -mod=readonly -o OUT PKG`: go.mod/go.sum are never edited;
 * `-mod=vendor` when the plugin vendors its modules; no `-mod` when the user's GOFLAGS sets one.
 */
export function goBuildArgs(input: GoArgsInput): string[] {
  const args = ["build", "-buildmode=c-shared", "-trimpath"];
  if (!/(^|\s)-mod=/.test(input.goflags))
    args.push(input.vendored ? "-mod=vendor" : "-mod=readonly");
  const pkg = input.pkg === "." || input.pkg.startsWith("./") ? input.pkg : `./${input.pkg}`;
  args.push("-o", input.outFile, pkg);
  return args;
}

/** The process environment plus the wasip1 target (the user's GOPROXY, GOFLAGS, GOMODCACHE ... pass through). */
export function goBuildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GOOS: "wasip1", GOARCH: "wasm" };
}
