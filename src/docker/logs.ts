// Docker's multiplexed log stream (non-TTY containers) split into lines tagged stdout/stderr, in arrival order. Pure.

/** One log line of a container. */
export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
}

/**
 * Each frame is an 8-byte header (stream type: 1 stdout, 2 stderr; 3 zero bytes; big-endian length) and the payload.
 * Lines split across frames of the same stream are joined; a buffer that is not framed is taken as plain stdout.
 */
export function demuxDockerLogs(buf: Uint8Array): LogLine[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!isFramed(b)) return splitLines("stdout", b.toString("utf8"));
  const out: LogLine[] = [];
  const pending: Record<LogLine["stream"], string> = { stdout: "", stderr: "" };
  let at = 0;
  while (at + 8 <= b.length) {
    const stream = b[at] === 2 ? "stderr" : "stdout";
    const size = b.readUInt32BE(at + 4);
    const chunk = b.subarray(at + 8, Math.min(b.length, at + 8 + size)).toString("utf8");
    at += 8 + size;
    const text = pending[stream] + chunk;
    const parts = text.split("\n");
    pending[stream] = parts.pop() ?? "";
    for (const p of parts) out.push({ stream, text: p.replace(/\r$/, "") });
  }
  for (const stream of ["stdout", "stderr"] as const) {
    if (pending[stream]) out.push({ stream, text: pending[stream] });
  }
  return out;
}

function isFramed(b: Buffer): boolean {
  return b.length >= 8 && (b[0] === 1 || b[0] === 2) && b[1] === 0 && b[2] === 0 && b[3] === 0;
}

function splitLines(stream: LogLine["stream"], text: string): LogLine[] {
  const parts = text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map((p) => ({ stream, text: p.replace(/\r$/, "") }));
}
