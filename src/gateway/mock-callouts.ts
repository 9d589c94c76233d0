// proxy_http_call to a `mock: echo` upstream's host:port is answered by orwasm's echo, as the echo container
// standing in for that host name answers it in smoke runs; other calls go to `fallback`.
import type { HttpCallDispatcher } from "../proxy-host/index.js";
import type { Project } from "../project/project.js";
import { echo } from "./upstreams.js";

/** A dispatcher that echoes calls to mocked upstream servers (matched as written: `authz:9000`). */
export function mockCallouts(project: Project, fallback: HttpCallDispatcher): HttpCallDispatcher {
  const mocked = new Set(
    project.data.upstreams.filter((u) => u.mock === "echo").flatMap((u) => u.servers),
  );
  return (req) => {
    if (!mocked.has(req.upstream)) return fallback(req);
    const path = req.url.replace(/^[a-z]+:\/\/[^/]*/i, "") || "/";
    return echo({ method: req.method, path, headers: req.headers, body: req.body });
  };
}
