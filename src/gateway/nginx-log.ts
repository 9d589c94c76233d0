// The embedded engine's log as nginx would write it: error-log lines with nginx's prefix and levels on stderr (so
// the smoke runner reads a container of either kind the same way), request lines on stdout like an access log. Pure.

import type { NginxLogLevel } from "../proxy-host/abi.js";

/** Where one line goes: the error log (stderr) at a level, or the access log (stdout). */
export type LogRoute =
  | { stream: "error"; level: NginxLogLevel; message: string }
  | { stream: "access"; message: string };

/** A request line of the dev server: `GET /path -> 200 3 ms`. */
const REQUEST_LINE = /^[A-Z]+ \S+ -> \d{3}\b/;
/** A line the dev server tagged with a level: `[error] orwasm: ...`, indented when it belongs to a request. */
const TAGGED = /^\s*\[(debug|info|notice|warn|error|crit|alert|emerg)\] (.*)$/;

/**
 * Sorts the dev server's log text into error-log and access-log lines: tagged lines keep their level, request lines
 * are access lines, anything else (start-up notes, multi-line audit warnings) is a `notice` per line.
 */
export function routeDevLog(text: string): LogRoute[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line): LogRoute => {
      const tagged = TAGGED.exec(line);
      if (tagged)
        return { stream: "error", level: tagged[1] as NginxLogLevel, message: tagged[2]! };
      if (REQUEST_LINE.test(line)) return { stream: "access", message: line };
      return { stream: "error", level: "notice", message: line.trim() };
    });
}

/** `2026/11/22 16:34:22 [error] 7#7: message`: nginx's error-log prefix (local time, pid#tid). */
export function errorLogLine(
  now: Date,
  level: NginxLogLevel,
  pid: number,
  message: string,
): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const date = `${now.getFullYear()}/${p(now.getMonth() + 1)}/${p(now.getDate())}`;
  const time = `${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  return `${date} ${time} [${level}] ${pid}#${pid}: ${message}`;
}

/** What the engine logs when a SIGHUP reload swapped in the new version (`orwasm reload` waits for it). */
export const RELOADED = "orwasm: reloaded, the new version serves new requests";

/** What the engine logs when a SIGHUP reload was refused, after the reasons. */
export const RELOAD_REFUSED = "orwasm: reload refused, the previous version keeps serving";

/** Where the engine writes each SIGHUP reload's outcome: `N reloaded|refused`, then the reasons, one per line. */
export const RELOAD_STATUS_FILE = "/tmp/orwasm-reload-status";
