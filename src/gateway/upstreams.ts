// How the embedded gateway reaches an upstream: orwasm's echo for `mock: echo`, a real HTTP request otherwise.
import { METHODS, request } from "node:http";
import type { Project } from "../project/project.js";
import { echoReply } from "../upstream/echo-server.js";
import type { UpstreamRequest, UpstreamResponse } from "../proxy-host/index.js";

/**
 * The request as the rendered location sends it upstream: `proxy_set_header Host $host` (the client's host,
 * lower-cased, without port) and `proxy_set_header Connection ""`.
 */
export function asProxied(req: UpstreamRequest): UpstreamRequest {
  const host = req.headers.find(([k]) => k.toLowerCase() === "host")?.[1];
  const bare = host?.replace(/:\d+$/, "").toLowerCase();
  const rest = req.headers.filter(([k]) => !/^(host|connection)$/i.test(k));
  return { ...req, headers: bare ? [["Host", bare], ...rest] : rest };
}

/** orwasm's echo upstream, in-process: answers with the request it got, as JSON. */
export function echo(upstreamReq: UpstreamRequest): UpstreamResponse {
  // the echo container is a Node server: its parser refuses a method it does not know (e.g. one a plugin wrote
  // through the :authority quirk) with a bare 400, before any handler runs
  if (!METHODS.includes(upstreamReq.method)) return { status: 400, headers: {}, body: "" };
  const req = asProxied(upstreamReq);
  const reply = echoReply({
    method: req.method,
    url: req.path,
    rawHeaders: req.headers.flat(),
    body: req.body ?? new Uint8Array(0),
  });
  return { status: reply.status, headers: reply.headers, body: reply.body };
}

/** A handler for upstream `name`; the project rules guarantee it exists. */
export function upstreamHandler(
  project: Project,
  name: string,
): (req: UpstreamRequest) => Promise<UpstreamResponse> {
  const up = project.data.upstreams.find((u) => u.name === name);
  if (!up) throw new Error(`unknown upstream ${name}`);
  if (up.mock === "echo") return (req) => Promise.resolve(echo(req));
  let next = 0;
  return (req) => {
    // Round robin over the servers, like nginx's default balancer.
    const server = up.servers[next++ % up.servers.length]!;
    return proxy(server, asProxied(req)).catch((err: Error) => ({
      // nginx answers 502 when the upstream cannot be reached.
      status: 502,
      headers: { "content-type": "text/plain" },
      body: `upstream ${name} (${server}) unreachable: ${err.message}\n`,
    }));
  };
}

/** Forwards a request as proxy_pass does: the plugins' headers as they are, nothing added (unlike fetch). */
function proxy(server: string, req: UpstreamRequest): Promise<UpstreamResponse> {
  const [host, port] = server.startsWith("[")
    ? [server.slice(1, server.indexOf("]")), server.slice(server.indexOf("]") + 2)]
    : server.split(":");
  return new Promise((ok, fail) => {
    const headers = req.headers.filter(
      ([k]) => !/^(content-length|transfer-encoding|connection)$/i.test(k),
    );
    const out = request(
      {
        host,
        port: Number(port),
        method: req.method,
        path: req.path,
        headers: [
          ...headers.flat(),
          ...(req.body?.length ? ["content-length", String(req.body.length)] : []),
        ],
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const pairs: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          ok({
            status: res.statusCode ?? 502,
            headers: pairs,
            body: new Uint8Array(Buffer.concat(chunks)),
          });
        });
        res.on("error", fail);
      },
    );
    out.on("error", fail);
    out.end(req.body?.length ? Buffer.from(req.body) : undefined);
  });
}
