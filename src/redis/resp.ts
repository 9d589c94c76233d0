// RESP framing, pure: where one reply ends in a byte stream (replies reach the plugin byte for byte, as Higress
// hands them over), and commands encoded as RESP arrays for orwasm's own seeding and checking.

const CR = 0x0d;

/** The index just after the first complete reply starting at `at`, or -1 when more bytes are needed. */
export function replyEnd(buf: Uint8Array, at = 0): number {
  if (at >= buf.length) return -1;
  const lineEnd = findCrlf(buf, at + 1);
  if (lineEnd === -1) return -1;
  const type = String.fromCharCode(buf[at]!);
  const head = new TextDecoder().decode(buf.subarray(at + 1, lineEnd));
  const next = lineEnd + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "_":
    case ",":
    case "#":
    case "(":
      return next;
    case "$":
    case "!":
    case "=": {
      const n = Number(head);
      if (n < 0) return next;
      const end = next + n + 2;
      return end <= buf.length ? end : -1;
    }
    case "*":
    case "~":
    case ">":
    case "%": {
      let n = Number(head);
      if (n < 0) return next;
      if (type === "%") n *= 2;
      let pos = next;
      for (let i = 0; i < n; i++) {
        pos = replyEnd(buf, pos);
        if (pos === -1) return -1;
      }
      return pos;
    }
    default:
      throw new Error(`not a RESP reply: type byte 0x${buf[at]!.toString(16)}`);
  }
}

function findCrlf(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === CR && buf[i + 1] === 0x0a) return i;
  return -1;
}

/** A command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${enc.encode(a).length}\r\n${a}\r\n`);
  return enc.encode(parts.join(""));
}

/** A decoded RESP2 reply, for orwasm's own checks (the plugin gets the bytes). */
export type RespValue = string | number | null | RespValue[] | { error: string };

/** Decodes one complete reply. */
export function decodeReply(buf: Uint8Array, at = 0): { value: RespValue; end: number } {
  const end = replyEnd(buf, at);
  if (end === -1) throw new Error("incomplete RESP reply");
  const lineEnd = findCrlf(buf, at + 1);
  const head = new TextDecoder().decode(buf.subarray(at + 1, lineEnd));
  const type = String.fromCharCode(buf[at]!);
  if (type === "+") return { value: head, end };
  if (type === "-") return { value: { error: head }, end };
  if (type === ":") return { value: Number(head), end };
  if (type === "$") {
    const n = Number(head);
    if (n < 0) return { value: null, end };
    return { value: new TextDecoder().decode(buf.subarray(lineEnd + 2, lineEnd + 2 + n)), end };
  }
  if (type === "*") {
    const n = Number(head);
    if (n < 0) return { value: null, end };
    const items: RespValue[] = [];
    let pos = lineEnd + 2;
    for (let i = 0; i < n; i++) {
      const r = decodeReply(buf, pos);
      items.push(r.value);
      pos = r.end;
    }
    return { value: items, end };
  }
  throw new Error(`RESP type ${type} is not decoded by orwasm`);
}
