// What one conformance case did on one engine, in the shape recordings store it, and how two observations are
// compared. Pure: the recorder (record.ts) observes a real engine, embedded.ts the embedded host.
import type { Difference } from "../../src/checks/difference.js";
import type { ConformanceCase } from "./cases.js";

/** One case's outcome. */
export interface Observation {
  /** "response": an answer came back; "no-response": the connection closed, reset or timed out without one. */
  outcome: "response" | "no-response";
  status?: number;
  /** Lower-case names, repeated headers joined with ", " (as smoke checks see them); Date and Server left out. */
  headers?: Record<string, string>;
  body?: string;
  /** Why no response came (the client's error). */
  error?: string;
  /** Each of the case's log patterns with the lines that matched it (empty: not logged). */
  logs: { pattern: string; lines: string[] }[];
  /** The nginx master's line when the worker died during the case ("worker process N exited on signal 11"). */
  workerExit?: string;
}

/** Who the recording was made on. */
export interface EngineIdentity {
  image: string;
  /** `docker image inspect` Id: the image digest. */
  imageId: string;
  repoDigests: string[];
  labels: Record<string, string>;
  /** `nginx -V` as the image prints it. */
  nginxV: string;
  vm: "wasmtime" | "wasmedge";
  /** Module and VM versions as the image's builder declared them (READY file, labels). */
  moduleVersion?: string;
  vmVersion?: string;
  /** The READY file the engine's builder wrote, verbatim. */
  ready?: unknown;
  /** Files of the engine found in the image (module .so, VM library, Lua libraries). */
  files: string[];
}

/** A recording: every case of the set on one real engine. */
export interface Recording {
  format: 1;
  engine: EngineIdentity;
  recordedAt: string;
  /** How it was made, to make it again. */
  recorder: string;
  groups: { name: string; cases: RecordedCase[] }[];
}

/** One case as recorded. */
export interface RecordedCase {
  name: string;
  source: string;
  request: ConformanceCase["request"];
  observation: Observation;
}

/** Headers no two runs share. */
export const VOLATILE_HEADERS = new Set(["date", "server", "connection", "keep-alive"]);

/** Matches a case's log patterns against lines (nginx error-log lines, or "[level] message" of the host). */
export function matchLogs(c: ConformanceCase, lines: string[]): Observation["logs"] {
  return (c.logs ?? []).map((pattern) => {
    const re = new RegExp(pattern);
    return { pattern, lines: lines.filter((l) => re.test(l)) };
  });
}

/** A field of orwasm's echo reply ("path", "query.a", "headers.x-api"), or undefined. */
function echoField(body: string | undefined, path: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(body ?? "");
  } catch {
    return "(not an echo reply)";
  }
  for (const k of path.split("."))
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** nginx's error pages end with the build's name (`<hr><center>nginx/1.22.1</center>`, `openresty`): not the module's doing. */
function unsigned(body: string | undefined): string | undefined {
  return body?.replace(/<hr><center>[^<]*<\/center>/, "<hr><center>(server)</center>");
}

/** An echo reply's JSON without its `headers`, or undefined when the body is no echo reply. */
function echoWithoutHeaders(body: string | undefined): unknown {
  try {
    const v = JSON.parse(body ?? "") as Record<string, unknown>;
    if (!v || typeof v !== "object" || !("method" in v) || !("path" in v)) return undefined;
    const { headers: _headers, ...rest } = v;
    return rest;
  } catch {
    return undefined;
  }
}

const show = (v: unknown): string => (v === undefined ? "(absent)" : JSON.stringify(v));

/** How `got` (the embedded host) differs from `want` (a real engine) for case `c`; empty when they agree. */
export function compareObservations(
  c: ConformanceCase,
  want: Observation,
  got: Observation,
): Difference[] {
  const out: Difference[] = [];
  const diff = (subject: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push({ subject, expected: show(a), got: show(b) });
  };
  diff("outcome", want.outcome, got.outcome);
  diff("worker death", want.workerExit !== undefined, got.workerExit !== undefined);
  if (want.outcome === "no-response" || got.outcome === "no-response") return out;
  diff("status", want.status, got.status);
  for (const h of c.compare?.headers ?? [])
    diff(`header ${h}`, want.headers?.[h], got.headers?.[h]);
  if (c.compare?.body) {
    // an echo reply lists the headers its transport added (nginx's proxy, Node's client): compared without them
    const a = echoWithoutHeaders(want.body);
    const b = echoWithoutHeaders(got.body);
    if (a !== undefined && b !== undefined) diff("body (echo reply, headers aside)", a, b);
    else diff("body", unsigned(want.body), unsigned(got.body));
  }
  for (const f of c.compare?.echo ?? [])
    diff(`upstream ${f}`, echoField(want.body, f), echoField(got.body, f));
  for (const [i, w] of want.logs.entries()) {
    const g = got.logs[i];
    diff(`log /${w.pattern}/ logged`, w.lines.length > 0, (g?.lines.length ?? 0) > 0);
  }
  return out;
}
