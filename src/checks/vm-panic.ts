// Pure: the message of a Rust panic (wasmtime) in an engine's log. Rust up to 1.72 writes
// `thread '<unnamed>' panicked at 'MESSAGE', FILE:LINE:COL`; newer Rust writes `... panicked at FILE:LINE:COL:` and
// the message on the next line.

/** The panic message that starts at `lines[i]`, or undefined when that line is no panic. */
export function panicAt(lines: readonly string[], i: number): string | undefined {
  const line = lines[i] ?? "";
  if (!/ panicked at /.test(line) || /panicking\.rs/.test(line)) return undefined;
  const quoted = / panicked at '(.*)', \S+:\d+:\d+\s*$/.exec(line);
  if (quoted) return quoted[1];
  const next = lines[i + 1]?.trim();
  return next || undefined;
}
