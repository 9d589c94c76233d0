// The echo upstream: replies with the request it received (method, path, query, headers, body) as JSON, so a check can
// assert what a plugin did to a request on its way up. Used in-process by orwasm and, run as a script, inside the
// orwasm/echo image. Self-contained on purpose (only node: imports, Node 18 APIs): the image ships this one file.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";

/** A request as the echo handler sees it: raw header pairs keep order, case of values, and repeats. */
export interface EchoRequest {
  method: string;
  /** The request target as sent: path plus optional `?query`. */
  url: string;
  /** Node's `rawHeaders`: name, value, name, value... */
  rawHeaders: string[];
  body: Uint8Array;
}

/** The JSON body of an echo reply. */
export interface EchoBody {
  method: string;
  /** The path as sent, not percent-decoded. */
  path: string;
  /** Decoded query parameters; a repeated name gives an array. */
  query: Record<string, string | string[]>;
  /** Lower-cased names; a repeated header gives an array of its values in arrival order. */
  headers: Record<string, string | string[]>;
  /** The body as UTF-8 text, or base64 when it is not valid UTF-8 (see `bodyEncoding`). */
  body: string;
  bodyEncoding: "utf8" | "base64";
}

/** What the listen adapter writes back. */
export interface EchoReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Request header that chooses the reply status, e.g. `x-echo-status: 503`. */
export const ECHO_STATUS_HEADER = "x-echo-status";

/** Port the echo image listens on. */
export const ECHO_PORT = 8080;

const STATUS_PATH = /^\/status\/(\d{3})\/?$/;

/**
 * The pure handler. Status: the `x-echo-status` header if present, else `NNN` from a `/status/NNN` path (any method),
 * else 200; only 200-599 are accepted (anything else is a 400 saying why). 204 and 304 carry no body.
 */
export function echoReply(req: EchoRequest): EchoReply {
  const qAt = req.url.indexOf("?");
  const path = qAt < 0 ? req.url : req.url.slice(0, qAt);
  const headers = collectHeaders(req.rawHeaders);
  const requested = firstOf(headers[ECHO_STATUS_HEADER]) ?? STATUS_PATH.exec(path)?.[1];
  const json = { "content-type": "application/json" };
  let status = 200;
  if (requested !== undefined) {
    status = /^\d{3}$/.test(requested.trim()) ? Number(requested.trim()) : NaN;
    if (!(status >= 200 && status <= 599)) {
      const error = `echo: cannot reply with status '${requested}': give a number from 200 to 599`;
      return { status: 400, headers: json, body: JSON.stringify({ error }) };
    }
  }
  if (status === 204 || status === 304) return { status, headers: {}, body: "" };
  const echoed: EchoBody = {
    method: req.method,
    path,
    query: collectQuery(qAt < 0 ? "" : req.url.slice(qAt + 1)),
    headers,
    ...decodeBody(req.body),
  };
  return { status, headers: json, body: JSON.stringify(echoed) };
}

/** A running echo server and how to reach and stop it. */
export interface RunningEcho {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0 = any free port) and serves `echoReply`. */
export function startEchoServer(opts: { port?: number; host?: string } = {}): Promise<RunningEcho> {
  const host = opts.host ?? "127.0.0.1";
  const server = createServer((req, res) => void serve(req, res));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : (opts.port ?? 0);
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}`,
        port,
        server,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = echoReply({
      method: req.method ?? "GET",
      url: req.url ?? "/",
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks),
    });
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(`echo: ${String(err)}\n`);
  }
}

function collectHeaders(raw: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) add(out, raw[i]!.toLowerCase(), raw[i + 1]!);
  return out;
}

function collectQuery(q: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(q)) add(out, k, v);
  return out;
}

function add(into: Record<string, string | string[]>, key: string, value: string): void {
  const prev = into[key];
  if (prev === undefined) into[key] = value;
  else into[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
}

function firstOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function decodeBody(body: Uint8Array): Pick<EchoBody, "body" | "bodyEncoding"> {
  try {
    return { body: new TextDecoder("utf-8", { fatal: true }).decode(body), bodyEncoding: "utf8" };
  } catch {
    return { body: Buffer.from(body).toString("base64"), bodyEncoding: "base64" };
  }
}

// Run as a script (the image's CMD): listen on $PORT (default 8080) on all interfaces until SIGTERM/SIGINT.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? ECHO_PORT);
  const running = await startEchoServer({ port, host: process.env.HOST ?? "0.0.0.0" });
  process.stdout.write(`echo upstream listening on ${running.url}\n`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
