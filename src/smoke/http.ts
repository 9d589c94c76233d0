// Sends one HTTP request the way a check wrote it (path byte for byte, no redirects, no decompression) and reads the
// whole response. An adapter over node:http.
import { request } from "node:http";
import type { SmokeResponse } from "../checks/checks.js";

/** One request to a published gateway port. */
export interface HttpRequest {
  host: string;
  port: number;
  method: string;
  /** Sent as written, e.g. `/%61dmin?x=1`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The response, or rejects with an Error saying why none came (refused, reset, timed out). */
export function sendHttp(req: HttpRequest): Promise<SmokeResponse> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: req.host,
        port: req.port,
        method: req.method,
        path: req.path,
        headers: {
          ...(req.body !== undefined ? { "content-length": Buffer.byteLength(req.body) } : {}),
          ...req.headers,
        },
        agent: false,
        timeout: req.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    r.on("timeout", () => r.destroy(new Error(`timed out after ${req.timeoutMs} ms`)));
    r.on("error", reject);
    r.end(req.body);
  });
}

/** True when something answers HTTP on host:port (any status counts) within `timeoutMs`. */
export async function answersHttp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  try {
    await sendHttp({ host, port, method: "GET", path: "/", headers: {}, timeoutMs });
    return true;
  } catch {
    return false;
  }
}
