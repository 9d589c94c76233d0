// The plugin's abort handler. AssemblyScript calls `abort` when an assertion fails or memory
// runs out. The default handler imports `env.abort` (AssemblyScript's own) and the usual
// `--use abort=abort_proc_exit` imports `wasi_unstable.proc_exit`. wasm-nginx-module never provides
// `env.abort`, and on WasmEdge there is no `wasi_unstable` either, so such a plugin fails to load.
// This one imports neither: it logs through proxy_log and traps.
// It is wired in asconfig.json: `"use": ["abort=assembly/abort/pluginAbort"]`.
import { log, LogLevelValues } from "@solo-io/proxy-runtime";

export function pluginAbort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) {
    text += " at " + fileName + ":" + lineNumber.toString() + ":" + columnNumber.toString();
  }
  log(LogLevelValues.critical, text);
  unreachable();
}
