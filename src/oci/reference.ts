// Image references as users write them (`oci://host/repo:tag@sha256:…`): pure parsing, validation and formatting.
import { UsageError } from "../errors.js";

/** A parsed reference: registry host (with port), repository path, and a tag and/or a manifest digest. */
export interface ImageRef {
  /** `host` or `host:port` (a registry is always named: orwasm has no default registry). */
  registry: string;
  repository: string;
  tag?: string;
  /** `sha256:<64 hex>` of the image manifest. */
  digest?: string;
}

const HOST =
  /^(localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+)(:[0-9]{1,5})?$/;
const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses `oci://host[:port]/repo[:tag][@sha256:hex]` or the same without `oci://`. The first path part must be a
 * registry host (with a dot or a port, or `localhost`): a bare `repo:tag` would mean some default registry, and
 * orwasm does not guess one. Throws UsageError with the reason.
 */
export function parseImageRef(input: string): ImageRef {
  const text = input.startsWith("oci://") ? input.slice(6) : input;
  const bad = (why: string) =>
    new UsageError(
      `${input} is not an image reference: ${why} (e.g. oci://registry.example:5000/plugins/add-header:1.0)`,
    );
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad("the digest must be sha256: and 64 lowercase hex digits");
  }
  const slash = rest.indexOf("/");
  if (slash < 0) throw bad("it names no registry host");
  const registry = rest.slice(0, slash);
  let path = rest.slice(slash + 1);
  if (
    !HOST.test(registry) ||
    !(registry.includes(".") || registry.includes(":") || registry === "localhost")
  )
    throw bad(`'${registry}' is not a registry host (give host:port or a dotted name)`);
  let tag: string | undefined;
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`'${tag}' is not a valid tag`);
  }
  if (!REPO.test(path))
    throw bad(`'${path}' is not a repository name (lowercase, digits, . _ - and /)`);
  if (!tag && !digest) throw bad("give a tag (:1.0) or a digest (@sha256:…)");
  return { registry, repository: path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `host/repo:tag@sha256:…` without the scheme, as registries and skopeo spell it. */
export function formatRef(ref: ImageRef, opts: { scheme?: boolean } = {}): string {
  return `${opts.scheme ? "oci://" : ""}${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** Whether plain HTTP is allowed without --insecure: only for loopback registries. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host) || host === "::1";
}
