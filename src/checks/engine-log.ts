// Pure: how to read an engine's log: nginx's error-log line, and what it says when a worker dies (nginx's master
// line for a worker killed by a signal, and the message of a Rust panic, wasmtime's, before it). Rust up to 1.72
// writes `thread '<unnamed>' panicked at 'MESSAGE', FILE:LINE:COL`; newer Rust writes `... panicked at
// FILE:LINE:COL:` and the message on the next line.

/** `2026/11/22 16:34:22 [error] 7#7: *3 message`: an nginx error-log line; group 1 the level, group 2 the message. */
export const NGINX_LOG_LINE =
  /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*)$/;

/** nginx's master when a worker dies of a signal (a crash, not a graceful exit); group 1 is the signal. */
export const WORKER_DIED = /worker process \d+ exited on signal (\d+)/;

/** The panic message that starts at `lines[i]`, or undefined when that line is no panic. */
export function panicAt(lines: readonly string[], i: number): string | undefined {
  const line = lines[i] ?? "";
  if (!/ panicked at /.test(line) || /panicking\.rs/.test(line)) return undefined;
  const quoted = / panicked at '(.*)', \S+:\d+:\d+\s*$/.exec(line);
  if (quoted) return quoted[1];
  const next = lines[i + 1]?.trim();
  return next || undefined;
}
