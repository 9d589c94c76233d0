// Entry of the embedded-engine image (bundled to serve.mjs): `node serve.mjs /app/orwasm.yaml`. Serves until
// SIGTERM/SIGINT (fast: in-flight requests get a moment) or SIGQUIT (graceful: waits for them), and reloads the
// project and plugins on SIGHUP (the old version keeps serving when the new one is not ready), like nginx.
import { CONTAINER_PROJECT_FILE } from "./container-project.js";
import { serveEmbedded, startFailureLines, type EngineIo, type RunningEngine } from "./serve.js";
import { writeFileSync } from "node:fs";
import {
  errorLogLine,
  RELOADED,
  RELOAD_REFUSED,
  RELOAD_STATUS_FILE,
} from "../gateway/nginx-log.js";

const io: EngineIo = {
  err: (l) => void process.stderr.write(`${l}\n`),
  out: (l) => void process.stdout.write(`${l}\n`),
  pid: process.pid,
};

/** How long a fast (SIGTERM) and a graceful (SIGQUIT) shutdown wait for requests in flight. */
const FAST_MS = 1000;
const GRACEFUL_MS = 30_000;

let engine: RunningEngine;
try {
  engine = await serveEmbedded(process.argv[2] ?? CONTAINER_PROJECT_FILE, io);
} catch (err) {
  for (const l of startFailureLines(err, io)) io.err(l);
  process.exit(1);
}

let stopping = false;
const stop = (signal: NodeJS.Signals, number: number, ms: number, what: string) => {
  if (stopping) process.exit(0); // a second signal: stop now
  stopping = true;
  io.err(
    errorLogLine(new Date(), "notice", io.pid, `signal ${number} (${signal}) received, ${what}`),
  );
  const timer = setTimeout(() => process.exit(0), ms);
  timer.unref();
  void engine.close().then(() => {
    io.err(errorLogLine(new Date(), "notice", io.pid, "exit"));
    process.exit(0);
  });
};
process.on("SIGTERM", () => stop("SIGTERM", 15, FAST_MS, "exiting"));
process.on("SIGINT", () => stop("SIGINT", 2, FAST_MS, "exiting"));
process.on("SIGQUIT", () => stop("SIGQUIT", 3, GRACEFUL_MS, "shutting down"));
let reloads = 0;
process.on("SIGHUP", () => {
  if (stopping) return;
  io.err(errorLogLine(new Date(), "notice", io.pid, "signal 1 (SIGHUP) received, reconfiguring"));
  // Always written whatever the level: `orwasm reload` waits for one of these two lines.
  void engine.reload("SIGHUP").then((ok) => {
    reloads++;
    const reasons = ok ? [] : (engine.lastReloadError ?? "unknown").split("\n");
    // The outcome also goes to a file `orwasm reload` reads back (a log can be rotated or not be readable).
    try {
      writeFileSync(
        RELOAD_STATUS_FILE,
        `${reloads} ${ok ? "reloaded" : "refused"}\n${reasons.join("\n")}\n`,
      );
    } catch (err) {
      io.err(
        errorLogLine(
          new Date(),
          "warn",
          io.pid,
          `orwasm: cannot write ${RELOAD_STATUS_FILE}: ${String(err)}`,
        ),
      );
    }
    if (ok) {
      io.err(errorLogLine(new Date(), "notice", io.pid, RELOADED));
      return;
    }
    for (const why of reasons) io.err(errorLogLine(new Date(), "error", io.pid, `orwasm: ${why}`));
    io.err(errorLogLine(new Date(), "error", io.pid, RELOAD_REFUSED));
  });
});
