// A registry v2 (OCI distribution) client: manifests and blobs, monolithic and chunked uploads, Basic and Bearer auth.
// No header, token or password is ever put in an error message; errors name the registry, the request and the answer.
import { createHash } from "node:crypto";
import { OrwasmError } from "../errors.js";
import type { Credential } from "./credentials.js";
import { MANIFEST_ACCEPT } from "./media-types.js";
import { isLoopbackRegistry } from "./reference.js";

/** A registry refused or failed a request; exit code 3. `status` is the HTTP status when there was an answer. */
export class RegistryError extends OrwasmError {
  readonly status?: number;
  constructor(message: string, status?: number) {
    super("build", message);
    this.status = status;
  }
}

/** Bytes that do not hash to the digest they were asked for: both digests are named. */
export class DigestMismatchError extends OrwasmError {
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string, hint = "") {
    super(
      "build",
      `digest mismatch for ${what}\n  expected ${expected}\n  actual   ${actual}${hint ? `\n${hint}` : ""}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** `sha256:<hex>` of some bytes. */
export function digestOf(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export interface RegistryOptions {
  /** `host[:port]`. */
  registry: string;
  /** Allow plain HTTP to a registry that is not on loopback. */
  insecure?: boolean;
  /** Looked up on the first 401, once. */
  credential?: () => Promise<Credential | undefined>;
  /** Blobs larger than this go up in chunks of this size (PATCH); smaller ones in one PUT. Default 8 MiB. */
  chunkSize?: number;
  fetch?: typeof fetch;
}

/** A fetched manifest: its bytes as served (what the digest covers), media type and digest. */
export interface FetchedManifest {
  bytes: Uint8Array;
  mediaType: string;
  digest: string;
}

/** One registry, one client: remembers the auth it negotiated per repository scope. */
export class RegistryClient {
  readonly base: string;
  private readonly opts: RegistryOptions;
  private readonly fetchFn: typeof fetch;
  private cred: Promise<Credential | undefined> | undefined;
  private readonly authHeader = new Map<string, string>();

  constructor(opts: RegistryOptions) {
    this.opts = opts;
    this.fetchFn = opts.fetch ?? fetch;
    const plain = opts.insecure || isLoopbackRegistry(opts.registry);
    this.base = `${plain ? "http" : "https"}://${opts.registry}`;
  }

  /** The manifest for a tag or digest. Bytes fetched by digest are checked against it. */
  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    const res = await this.request(repo, "pull", "GET", `/v2/${repo}/manifests/${reference}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    await this.expect(res, [200], `manifest ${repo}:${reference}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const digest = digestOf(bytes);
    if (reference.startsWith("sha256:") && digest !== reference)
      throw new DigestMismatchError(
        `the manifest of ${this.opts.registry}/${repo}`,
        reference,
        digest,
      );
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
    return { bytes, mediaType, digest };
  }

  /** The digest a tag points at now (HEAD, falling back to GET for registries that do not send the header). */
  async resolveTag(repo: string, tag: string): Promise<string> {
    const res = await this.request(repo, "pull", "HEAD", `/v2/${repo}/manifests/${tag}`, {
      headers: { accept: MANIFEST_ACCEPT },
    });
    await this.expect(res, [200], `manifest ${repo}:${tag}`);
    const d = res.headers.get("docker-content-digest");
    if (d && /^sha256:[0-9a-f]{64}$/.test(d)) return d;
    return (await this.getManifest(repo, tag)).digest;
  }

  /** A blob's bytes, verified against its digest. */
  async getBlob(repo: string, digest: string): Promise<Uint8Array> {
    const res = await this.request(repo, "pull", "GET", `/v2/${repo}/blobs/${digest}`);
    await this.expect(res, [200], `blob ${digest.slice(0, 19)}… of ${repo}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const actual = digestOf(bytes);
    if (actual !== digest)
      throw new DigestMismatchError(`a blob of ${this.opts.registry}/${repo}`, digest, actual);
    return bytes;
  }

  /** Whether the registry already has this blob in the repository (HEAD). */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request(repo, "push", "HEAD", `/v2/${repo}/blobs/${digest}`);
    if (res.status === 404) return false;
    await this.expect(res, [200], `blob ${digest.slice(0, 19)}… of ${repo}`);
    return true;
  }

  /** Uploads a blob unless it exists; returns how it went up. */
  async pushBlob(repo: string, data: Uint8Array): Promise<"exists" | "monolithic" | "chunked"> {
    const digest = digestOf(data);
    if (await this.hasBlob(repo, digest)) return "exists";
    const start = await this.request(repo, "push", "POST", `/v2/${repo}/blobs/uploads/`, {
      body: new Uint8Array(0),
    });
    await this.expect(start, [202], `starting an upload to ${repo}`);
    let location = this.location(start, "upload");
    const chunk = this.opts.chunkSize ?? 8 * 1024 * 1024;
    if (data.length <= chunk) {
      const put = await this.request(repo, "push", "PUT", withQuery(location, "digest", digest), {
        headers: {
          "content-type": "application/octet-stream",
        },
        body: data,
      });
      await this.expect(put, [201], `uploading blob ${digest.slice(0, 19)}… to ${repo}`);
      return "monolithic";
    }
    for (let off = 0; off < data.length; off += chunk) {
      const part = data.subarray(off, Math.min(off + chunk, data.length));
      const patch = await this.request(repo, "push", "PATCH", location, {
        headers: {
          "content-type": "application/octet-stream",
          "content-range": `${off}-${off + part.length - 1}`,
        },
        body: part,
      });
      await this.expect(
        patch,
        [202],
        `uploading bytes ${off}-${off + part.length - 1} of blob ${digest.slice(0, 19)}… to ${repo}`,
      );
      location = this.location(patch, "upload");
    }
    const done = await this.request(repo, "push", "PUT", withQuery(location, "digest", digest), {
      body: new Uint8Array(0),
    });
    await this.expect(
      done,
      [201],
      `finishing the upload of blob ${digest.slice(0, 19)}… to ${repo}`,
    );
    return "chunked";
  }

  /** Puts a manifest under a tag (or its digest); returns the digest the registry reports, checked against ours. */
  async putManifest(
    repo: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<string> {
    const res = await this.request(repo, "push", "PUT", `/v2/${repo}/manifests/${reference}`, {
      headers: { "content-type": mediaType },
      body: bytes,
    });
    await this.expect(res, [201], `putting the manifest ${repo}:${reference}`);
    const ours = digestOf(bytes);
    const theirs = res.headers.get("docker-content-digest");
    if (theirs && theirs !== ours)
      throw new DigestMismatchError(
        `the manifest the registry stored for ${repo}:${reference}`,
        ours,
        theirs,
      );
    return ours;
  }

  private location(res: Response, what: string): string {
    const loc = res.headers.get("location");
    if (!loc)
      throw new RegistryError(
        `${this.opts.registry} answered an ${what} without a Location header`,
      );
    const url = new URL(loc, this.base);
    if (url.origin !== new URL(this.base).origin)
      throw new RegistryError(
        `${this.opts.registry} sent the ${what} to another host (${url.host}); orwasm sends uploads only to the registry named`,
      );
    return url.pathname + url.search;
  }

  /** One request with auth: on a 401 the challenge is answered once (Basic, or a Bearer token for the scope). */
  private async request(
    repo: string,
    action: "pull" | "push",
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<Response> {
    const scope = `repository:${repo}:${action === "push" ? "pull,push" : "pull"}`;
    const send = (auth?: string) =>
      this.fetchFn(`${this.base}${path}`, {
        method,
        headers: { ...init.headers, ...(auth ? { authorization: auth } : {}) },
        // fetch sets content-length from the body; a hand-set one is refused when another undici
        // (testcontainers') is the global dispatcher, as it is in any process that also talks to Docker
        ...(init.body ? { body: init.body } : {}),
        redirect: "follow",
      }).catch((err: unknown) => {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new RegistryError(
          `cannot reach the registry ${this.opts.registry} (${this.base}): ${cause?.code ?? cause?.message ?? (err as Error).message}` +
            (this.base.startsWith("https:")
              ? "; a registry that speaks plain HTTP needs --insecure"
              : ""),
        );
      });
    const known = this.authHeader.get(scope) ?? this.authHeader.get("*");
    let res = await send(known);
    if (res.status !== 401) return res;
    const challenge = res.headers.get("www-authenticate") ?? "";
    await res.body?.cancel();
    const header = await this.answer(challenge, scope);
    res = await send(header);
    if (res.status === 401 || res.status === 403) {
      const c = await this.credential();
      await res.body?.cancel();
      throw new RegistryError(
        c
          ? `${this.opts.registry} refused the credentials for user '${c.username}' from ${c.source} (HTTP ${res.status}); check them with \`docker login ${this.opts.registry}\``
          : `${this.opts.registry} needs credentials and none were found for it in the Docker config; run \`docker login ${this.opts.registry}\``,
        res.status,
      );
    }
    this.authHeader.set(/^basic/i.test(challenge) ? "*" : scope, header);
    return res;
  }

  private credential(): Promise<Credential | undefined> {
    this.cred ??= this.opts.credential?.() ?? Promise.resolve(undefined);
    return this.cred;
  }

  /** The Authorization header that answers a WWW-Authenticate challenge. */
  private async answer(challenge: string, scope: string): Promise<string> {
    const cred = await this.credential();
    const scheme = challenge.split(/\s+/, 1)[0]!.toLowerCase();
    if (scheme === "basic") {
      if (!cred)
        throw new RegistryError(
          `${this.opts.registry} needs credentials and none were found for it in the Docker config; run \`docker login ${this.opts.registry}\``,
          401,
        );
      return basic(cred);
    }
    if (scheme !== "bearer")
      throw new RegistryError(
        `${this.opts.registry} asks for an unsupported auth scheme '${scheme}'`,
        401,
      );
    const params = parseChallenge(challenge.slice(scheme.length));
    const realm = params.realm;
    if (!realm)
      throw new RegistryError(`${this.opts.registry} sent a Bearer challenge without a realm`, 401);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${this.opts.registry} sent a Bearer realm that is not a URL`, 401);
    }
    if (
      url.protocol !== "https:" &&
      !(url.protocol === "http:" && (this.opts.insecure || isLoopbackRegistry(url.host)))
    )
      throw new RegistryError(
        `${this.opts.registry} sent a token realm at ${url.origin}; orwasm sends credentials only over https (or to loopback, or with --insecure)`,
        401,
      );
    if (params.service) url.searchParams.set("service", params.service);
    url.searchParams.set("scope", params.scope ?? scope);
    const res = await this.fetchFn(url, {
      headers: cred ? { authorization: basic(cred) } : {},
    }).catch(() => {
      throw new RegistryError(
        `cannot reach the token service of ${this.opts.registry} at ${url.origin}`,
      );
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError(
        cred
          ? `the token service of ${this.opts.registry} refused the credentials for user '${cred.username}' from ${cred.source} (HTTP ${res.status})`
          : `the token service of ${this.opts.registry} refused an anonymous token (HTTP ${res.status}); run \`docker login ${this.opts.registry}\``,
        res.status,
      );
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token)
      throw new RegistryError(
        `the token service of ${this.opts.registry} answered without a token`,
      );
    return `Bearer ${token}`;
  }

  /** Throws a RegistryError naming what was asked and the registry's own error codes. */
  private async expect(res: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(res.status)) return;
    let detail = "";
    try {
      const body = (await res.json()) as { errors?: { code?: string; message?: string }[] };
      detail = (body.errors ?? [])
        .map((e) => `${e.code ?? ""}${e.message ? ` (${e.message})` : ""}`)
        .join(", ");
    } catch {
      // not a JSON error body
    }
    const hint = res.status === 404 ? " (not found)" : "";
    throw new RegistryError(
      `${this.opts.registry}: ${what}: HTTP ${res.status}${hint}${detail ? `: ${detail}` : ""}`,
      res.status,
    );
  }
}

function basic(c: Credential): string {
  return `Basic ${Buffer.from(`${c.username}:${c.secret}`).toString("base64")}`;
}

function withQuery(path: string, key: string, value: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(value)}`;
}

/** `realm="…",service="…",scope="…"` → a map. */
export function parseChallenge(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[m[1]!.toLowerCase()] = m[2]!;
  return out;
}
