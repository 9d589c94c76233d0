// How the embedded gateway reaches an upstream: orwasm's echo for `mock: echo`, a real HTTP request otherwise.
import type { Project } from "../project/project.js";
import { echoReply } from "../upstream/echo-server.js";
import type { UpstreamRequest, UpstreamResponse } from "../host/index.js";

/** orwasm's echo upstream, in-process: answers with the request it got, as JSON. */
export function echo(req: UpstreamRequest): UpstreamResponse {
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
  if (up.mock === "echo") return async (req) => echo(req);
  let next = 0;
  return async (req) => {
    // Round robin over the servers, like nginx's default balancer.
    const server = up.servers[next++ % up.servers.length]!;
    const headers = new Headers();
    for (const [k, v] of req.headers)
      if (k.toLowerCase() !== "host" && k.toLowerCase() !== "content-length") headers.append(k, v);
    try {
      const res = await fetch(`http://${server}${req.path}`, {
        method: req.method,
        headers,
        body: req.body && req.body.length > 0 ? req.body : undefined,
        redirect: "manual",
      });
      const out: [string, string][] = [];
      res.headers.forEach((v, k) => out.push([k, v]));
      return { status: res.status, headers: out, body: new Uint8Array(await res.arrayBuffer()) };
    } catch (err) {
      // nginx answers 502 when the upstream cannot be reached.
      return {
        status: 502,
        headers: { "content-type": "text/plain" },
        body: `upstream ${name} (${server}) unreachable: ${(err as Error).message}\n`,
      };
    }
  };
}
