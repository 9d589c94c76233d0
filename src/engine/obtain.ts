// Gets an artifact's bytes from a mirror (folder or base URL) or its upstream URL. The only network code in the engine.
import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { BuildError } from "../errors.js";
import type { ArtifactSpec } from "./artifacts.js";

/** Where artifacts come from instead of upstream: files are looked up by their upstream file name. */
export type Mirror = { kind: "dir"; path: string } | { kind: "url"; base: string };

/** Reads a `--mirror` / `engine.mirror` value: an http(s) URL, else a folder relative to `baseDir`. */
export function parseMirror(value: string, baseDir: string): Mirror {
  if (/^https?:\/\//.test(value)) return { kind: "url", base: value.replace(/\/+$/, "") };
  return { kind: "dir", path: isAbsolute(value) ? value : resolve(baseDir, value) };
}

/** Human form of a mirror for messages. */
export function describeMirror(m: Mirror): string {
  return m.kind === "dir" ? `mirror folder ${m.path}` : `mirror ${m.base}`;
}

/** Bytes of an artifact and where they were read from (a path or URL), for messages and labels. */
export interface Obtained {
  data: Uint8Array;
  origin: string;
}

/** How artifacts are fetched; tests swap `fetch`. */
export interface ObtainOptions {
  mirror?: Mirror;
  fetch?: typeof fetch;
  /** Per download; a stalled connection fails instead of hanging (default 10 minutes). */
  timeoutMs?: number;
}

/** Reads one artifact from the mirror when given (a mirror replaces upstream), else downloads its upstream URL. */
export async function obtainArtifact(
  spec: ArtifactSpec,
  opts: ObtainOptions = {},
): Promise<Obtained> {
  const m = opts.mirror;
  if (m?.kind === "dir") {
    const path = join(m.path, spec.file);
    try {
      return { data: new Uint8Array(await readFile(path)), origin: path };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        throw new BuildError(
          `${spec.file} (${label(spec)}) is not in the ${describeMirror(m)}; put the upstream file there (${spec.url})`,
        );
      }
      throw new BuildError(`cannot read ${path} (${label(spec)}): ${(err as Error).message}`);
    }
  }
  const url = m?.kind === "url" ? `${m.base}/${encodeURIComponent(spec.file)}` : spec.url;
  const res = await download(url, spec, opts);
  if (!res.ok) {
    throw new BuildError(
      m?.kind === "url"
        ? `${spec.file} (${label(spec)}) is not in the ${describeMirror(m)}: ${url} answered HTTP ${res.status}`
        : `could not download ${label(spec)} from ${url}: HTTP ${res.status} ${res.statusText}`,
    );
  }
  return { data: new Uint8Array(await res.arrayBuffer()), origin: url };
}

async function download(url: string, spec: ArtifactSpec, opts: ObtainOptions): Promise<Response> {
  const doFetch = opts.fetch ?? fetch;
  try {
    return await doFetch(url, {
      redirect: "follow",
      signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
    });
  } catch (err) {
    throw new BuildError(
      `could not download ${label(spec)} from ${url}: ${networkReason(err)}` +
        (opts.mirror ? "" : "\n(no network? use --mirror DIR|URL with the upstream files in it)"),
      [],
      { cause: err },
    );
  }
}

/** `openresty 1.21.4.2` / `wasmtime-c-api 0.38.1 (aarch64)`. */
function label(spec: ArtifactSpec): string {
  return `${spec.name} ${spec.version}${spec.arch ? ` (${spec.arch})` : ""}`;
}

/** Node's fetch says "fetch failed"; the reason is in `cause` (ENOTFOUND, ECONNREFUSED, a TLS error...). */
function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === "TimeoutError") return "timed out";
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code && cause.message) return `${cause.code}: ${cause.message}`;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
