// The upstream artifacts an engine is built from: their names, upstream URL patterns and the checksums orwasm ships.
import type { EngineData } from "../project/schema-engine.js";

/** CPU architectures orwasm builds engines for, as `uname -m` spells them on Linux. */
export type Arch = "x86_64" | "aarch64";

/** Every architecture a lockfile pins, so one committed lockfile serves both kinds of machine. */
export const ARCHES: readonly Arch[] = ["x86_64", "aarch64"];

/** What an artifact is; per-architecture binaries carry an `arch` too. */
export type ArtifactName =
  "openresty" | "wasm-nginx-module" | "wasmtime-c-api" | "wasmedge" | "lua-resty-http";

/** One downloadable file: `file` is its upstream file name, which is also how a mirror is searched. */
export interface ArtifactSpec {
  name: ArtifactName;
  version: string;
  arch?: Arch;
  file: string;
  url: string;
}

/** An artifact with its pinned sha256 (hex); `null` means unverified: nothing is extracted or run until it is pinned. */
export interface Artifact extends ArtifactSpec {
  sha256: string | null;
}

/** The lockfile key of an artifact: `name` or `name@arch`. */
export function artifactKey(a: Pick<ArtifactSpec, "name" | "arch">): string {
  return a.arch ? `${a.name}@${a.arch}` : a.name;
}

/** Upstream file name and URL of each artifact, from its version (and arch); upstream project download pages only. */
export function artifactSpec(name: ArtifactName, version: string, arch?: Arch): ArtifactSpec {
  const base = { name, version, ...(arch ? { arch } : {}) };
  switch (name) {
    case "openresty": {
      const file = `openresty-${version}.tar.gz`;
      return { ...base, file, url: `https://openresty.org/download/${file}` };
    }
    case "wasm-nginx-module":
      // GitHub names a tag archive `<repo>-<tag>.tar.gz` when it is downloaded.
      return {
        ...base,
        file: `wasm-nginx-module-${version}.tar.gz`,
        url: `https://github.com/api7/wasm-nginx-module/archive/refs/tags/${version}.tar.gz`,
      };
    case "wasmtime-c-api": {
      const file = `wasmtime-v${version}-${need(arch, name)}-linux-c-api.tar.xz`;
      return {
        ...base,
        file,
        url: `https://github.com/bytecodealliance/wasmtime/releases/download/v${version}/${file}`,
      };
    }
    case "wasmedge": {
      const file = `WasmEdge-${version}-manylinux2014_${need(arch, name)}.tar.gz`;
      return {
        ...base,
        file,
        url: `https://github.com/WasmEdge/WasmEdge/releases/download/${version}/${file}`,
      };
    }
    case "lua-resty-http":
      return {
        ...base,
        file: `lua-resty-http-${version}.tar.gz`,
        url: `https://github.com/ledgetech/lua-resty-http/archive/refs/tags/v${version}.tar.gz`,
      };
  }
}

function need(arch: Arch | undefined, name: string): Arch {
  if (!arch) throw new Error(`artifact ${name} is per-architecture: an arch is required`);
  return arch;
}

/**
 * The artifacts an engine needs, for every architecture. wasm-nginx-module's `config` always compiles
 * src/vm/wasmtime.c and links -lwasmtime, so the wasmtime C API is needed whichever VM is selected;
 * WasmEdge is added (the module's config enables it when a `wasmedge/` folder is present) for vm: wasmedge.
 */
export function engineArtifactSpecs(engine: EngineData): ArtifactSpec[] {
  const specs: ArtifactSpec[] = [
    artifactSpec("openresty", engine.openresty),
    artifactSpec("wasm-nginx-module", engine.wasmNginxModule),
    ...ARCHES.map((a) => artifactSpec("wasmtime-c-api", engine.wasmtime, a)),
  ];
  if (engine.vm === "wasmedge") {
    specs.push(...ARCHES.map((a) => artifactSpec("wasmedge", engine.wasmedge, a)));
  }
  specs.push(artifactSpec("lua-resty-http", engine.luaRestyHttp));
  return specs;
}

/** A checksum orwasm ships, with where it was published. */
export interface KnownChecksum {
  sha256: string;
  source: string;
}

/**
 * sha256 of upstream files, by file name, each copied from a public record that pins it. Files absent here
 * are unverified (`null`) until `orwasm lock` downloads them and the user commits the lockfile.
 *
 * Looked for and NOT found (so left unverified):
 * - wasm-nginx-module-0.7.0.tar.gz: no published checksum. For review: `git archive --format=tar
 *   --prefix=wasm-nginx-module-0.7.0/ 0.7.0 | gzip -n | sha256sum` in a clone gives
 *   5ae381c26f11cbfc8b75d41c9fe8c24816142933e0b6ab07fce3b31d39e64c12 (the same method reproduces the
 *   published lua-resty-http-0.17.2 hash below); compare it with what `orwasm lock` records.
 * - wasmtime-v0.38.1-{x86_64,aarch64}-linux-c-api.tar.xz: the wasmtime release publishes none; no
 *   packager pins the C API tarballs of 0.38.1.
 * - WasmEdge-0.10.0-manylinux2014_{x86_64,aarch64}.tar.gz: WasmEdge attaches a SHA256SUM file to its
 *   releases, but no stored copy of the 0.10.0 one was found.
 */
export const KNOWN_CHECKSUMS: Readonly<Record<string, KnownChecksum>> = {
  "openresty-1.21.4.2.tar.gz": {
    sha256: "5b1eded25c1d4ed76c0336dfae50bd94d187af9c85ead244135dd5ae363b2e2a",
    source:
      "openresty/homebrew-brew Formula/openresty.rb (commit 221d38a, 'upgraded openresty to 1.21.4.2'); " +
      "the same value in chef/omnibus-software config/software/openresty.rb",
  },
  "lua-resty-http-0.17.2.tar.gz": {
    sha256: "3da18ca8582243eff28302591e36651dc7fab046e77336aa4a6fa718bccce4a2",
    source:
      "kubernetes/ingress-nginx images/nginx/rootfs/build.sh (LUA_RESTY_HTTP=v0.17.2); " +
      "the same value in the Arch Linux AUR lua-resty-http PKGBUILD",
  },
};

/** The built-in checksum for a file, or null when orwasm ships none. */
export function knownSha256(file: string): string | null {
  return KNOWN_CHECKSUMS[file]?.sha256 ?? null;
}
