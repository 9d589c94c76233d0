// Pure: why a new nginx generation was not ready, from what its throwaway nginx logged (its error log, which also
// holds what the workers wrote to stderr): one line per plugin that failed, with the engine's own words before it
// (the VM logs why a module failed or panicked; wasm.load itself only says "failed to load wasm plugin").

import { NGINX_LOG_LINE, panicAt } from "../checks/engine-log.js";

const SERIOUS = new Set(["error", "crit", "alert", "emerg"]);

/**
 * The reasons, in order: each orwasm plugin failure with the engine's error lines, worker crashes (`[alert] ...
 * exited on signal`) and VM panics logged since the previous failure; nginx's own refusals ([emerg]) as they are;
 * engine lines no plugin failure followed, at the end. Duplicates (every worker says the same) are dropped.
 */
export function refusalReasons(output: string): string[] {
  const out: string[] = [];
  let said: string[] = [];
  const lines = output.split("\n").map((l) => l.replace(/\r$/, ""));
  lines.forEach((line, i) => {
    const m = NGINX_LOG_LINE.exec(line);
    if (!m) {
      const panic = panicAt(lines, i); // wasmtime
      if (panic) said.push(`the VM panicked: ${panic}`);
      return;
    }
    const [, level = "", text = ""] = m;
    const msg = text.replace(/, context: \S+$/, "");
    const failure = /orwasm: (plugin .*)$/.exec(msg)?.[1];
    if (failure) {
      const engine = [...new Set(said)];
      // The glue points at the log when a worker crashed; here the log's words are at hand.
      const own = failure.replace(/ \(the engine's log says why\)$/, "");
      out.push(engine.length ? `${own} (the engine said: ${engine.join("; ")})` : failure);
      said = [];
    } else if (level === "emerg") out.push(msg);
    else if (SERIOUS.has(level)) said.push(msg);
  });
  out.push(...said);
  return [...new Set(out)];
}
