// Tells a gateway that could not start from one that is merely slow, by reading its log: nginx's fatal lines, the
// orwasm glue's plugin load/configure errors, and the wasm VM's own messages (WasmEdge writes them straight to
// stderr). Pure, apart from the error class it defines.
import { SmokeError } from "../errors.js";
import type { StartFailureInfo } from "../checks/report.js";
import { NGINX_LOG_LINE, panicAt, WORKER_DIED } from "../checks/engine-log.js";

/** A gateway that never became testable; exit code 4 like every SmokeError, with the lines that say why. */
export class GatewayStartFailure extends SmokeError {
  readonly info: StartFailureInfo;
  /** The gateway's last log lines. */
  readonly tail: string[];
  /** How to reach the containers that were left running (`--keep`), if any. */
  keepNotice?: string;
  constructor(info: StartFailureInfo, tail: string[]) {
    super([info.message, ...info.lines.map((l) => `  | ${l}`)].join("\n"), tail);
    this.info = info;
    this.tail = tail;
  }
}

/** The glue's own start-up failures (see templates: `failed to load from`, `rejected its configuration`). */
const PLUGIN_FAILED = /orwasm: plugin (\S+) (failed to load from .*|rejected its configuration.*)$/;
/** WasmEdge's loader, validator and instantiator errors, e.g. `[error] instantiation failed: unknown import`. */
const VM_FAILED = /\[error\]\s+(instantiation|loading|validation) failed/;
/** Lines worth showing when something went wrong: nginx errors and worse, the glue's lines, the VM's errors. */
const RELEVANT = /\[(emerg|alert|crit|error)\]|orwasm: | panicked at /;

/** At most this many explaining lines are shown. */
export const MAX_RELEVANT = 20;

/** The lines that explain a failure, each text once (every worker logs the same load error), oldest first. */
export function relevantLines(lines: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of lines) {
    if (!RELEVANT.test(l)) continue;
    const key = withoutPrefix(l);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out.slice(0, MAX_RELEVANT);
}

/** The plugins that failed to load or configure, or the VM errors, found in a gateway that did answer; else undefined. */
export function pluginStartFailure(lines: string[]): StartFailureInfo | undefined {
  const failures = lines.filter((l) => PLUGIN_FAILED.test(l) || VM_FAILED.test(l));
  if (failures.length === 0) return undefined;
  const names = [
    ...new Set(failures.map((l) => PLUGIN_FAILED.exec(l)?.[1]).filter((n): n is string => !!n)),
  ];
  const who = names.length
    ? `plugin${names.length === 1 ? "" : "s"} ${names.join(", ")}`
    : "a plugin (the wasm VM refused it)";
  return {
    message: `the gateway answers, but ${who} could not be loaded or configured, so every route using ${names.length === 1 ? "it" : "them"} fails`,
    lines: relevantLines(lines),
  };
}

/** Worker deaths before the gateway answered that make a crash loop rather than bad luck. */
export const CRASH_LOOP = 3;

/**
 * nginx respawning workers that die as they start (wasmtime 0.38.1 panics on a trap in a module's start function,
 * and every new worker loads the plugin again): a start failure, with the VM's panic and the deaths, else undefined.
 */
export function crashLoopFailure(lines: string[]): StartFailureInfo | undefined {
  const deaths = lines.filter((l) => WORKER_DIED.test(l));
  if (deaths.length < CRASH_LOOP) return undefined;
  const signals = [...new Set(deaths.map((l) => WORKER_DIED.exec(l)![1]))];
  const panics = [
    ...new Set(lines.map((_, i) => panicAt(lines, i)).filter((p) => p !== undefined)),
  ];
  return {
    message:
      `nginx workers keep dying as they start (${deaths.length} times, on signal ${signals.join(", ")})` +
      (panics.length ? `; the VM panicked: ${panics.join("; ")}` : "") +
      ": a plugin crashes the worker that loads it",
    lines: relevantLines(lines),
  };
}

/** The gateway container stopped before answering. */
export function exitedStartFailure(
  what: string,
  exitCode: number | undefined,
  lines: string[],
): StartFailureInfo {
  const status = exitCode === undefined ? "" : ` with status ${exitCode}`;
  const relevant = relevantLines(lines);
  const first = relevant.find((l) => /\[emerg\]/.test(l));
  return {
    message: `${what} exited${status} before answering${first ? `: ${withoutPrefix(first)}` : ""}`,
    lines: relevant,
  };
}

/** nginx's `2024/01/02 03:04:05 [emerg] 1#1: ` and WasmEdge's `[2024-01-02 03:04:05.678] ` prefixes removed. */
export function withoutPrefix(line: string): string {
  const nginx = NGINX_LOG_LINE.exec(line);
  return nginx ? `[${nginx[1]}] ${nginx[2]}` : line.replace(/^\[\d{4}-\d\d-\d\d [\d:.]+\] /, "");
}
