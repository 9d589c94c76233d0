// Registry credentials the way the Docker CLI stores them: ~/.docker/config.json `auths`, `credHelpers`, `credsStore`.
// Secrets never leave this module in a message: errors name the registry and the helper, never what it returned.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { OrwasmError } from "../errors.js";

/** A username and password (or identity token, with the username `<token>`), and where they came from. */
export interface Credential {
  username: string;
  secret: string;
  /** `config.json auths`, `credential helper docker-credential-NAME`: for messages, never the secret. */
  source: string;
}

/** A failure to read credentials: a broken config file or a helper that failed. Exit code 3, no secret in it. */
export class CredentialError extends OrwasmError {
  constructor(message: string) {
    super("build", message);
  }
}

interface DockerConfig {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), ".docker"), "config.json");
}

/** The registry key forms config.json uses: `host:port`, `https://host:port`, `https://host/v1/`… */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "");
}

/** Looks up the credential for `registry` (host[:port]); undefined means anonymous. */
export async function findCredential(
  registry: string,
  opts: { configPath?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Credential | undefined> {
  const path = opts.configPath ?? dockerConfigPath(opts.env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CredentialError(
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`,
    );
  }
  let config: DockerConfig;
  try {
    config = JSON.parse(text) as DockerConfig;
  } catch {
    throw new CredentialError(`${path} is not valid JSON`);
  }
  const helper = Object.entries(config.credHelpers ?? {}).find(
    ([k]) => keyHost(k) === registry,
  )?.[1];
  if (helper) return fromHelper(helper, registry, opts.env);
  const entry = Object.entries(config.auths ?? {}).find(([k]) => keyHost(k) === registry)?.[1];
  if (entry) {
    if (entry.identitytoken)
      return { username: "<token>", secret: entry.identitytoken, source: `${path} auths` };
    if (entry.auth) {
      const plain = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = plain.indexOf(":");
      if (colon < 0)
        throw new CredentialError(
          `${path}: the auth entry for ${registry} is not base64 of user:password`,
        );
      return {
        username: plain.slice(0, colon),
        secret: plain.slice(colon + 1),
        source: `${path} auths`,
      };
    }
    if (entry.username && entry.password)
      return { username: entry.username, secret: entry.password, source: `${path} auths` };
  }
  if (config.credsStore) return fromHelper(config.credsStore, registry, opts.env, true);
  return undefined;
}

/** Runs `docker-credential-NAME get` with the registry on stdin, as the Docker CLI does. */
function fromHelper(
  name: string,
  registry: string,
  env: NodeJS.ProcessEnv | undefined,
  store = false,
): Promise<Credential | undefined> {
  const bin = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      ["get"],
      { env: env ?? process.env, timeout: 30_000 },
      (err, stdout) => {
        if (err) {
          // "credentials not found" is an anonymous registry for a store (credsStore holds every registry).
          if (store && /not found/i.test(String(stdout))) return resolve(undefined);
          const why =
            (err as NodeJS.ErrnoException).code === "ENOENT"
              ? "is not on PATH"
              : `exited with ${err.code ?? "an error"}`;
          return reject(
            new CredentialError(
              `credential helper ${bin} (named in the Docker config for ${registry}) ${why}`,
            ),
          );
        }
        try {
          const got = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (!got.Secret) return resolve(undefined);
          resolve({
            username: got.Username ?? "",
            secret: got.Secret,
            source: `credential helper ${bin}`,
          });
        } catch {
          reject(
            new CredentialError(`credential helper ${bin} answered something that is not JSON`),
          );
        }
      },
    );
    child.stdin?.end(registry);
  });
}
