// Lua literal encoders: whatever a user writes reaches Lua byte for byte, and can never close a string or block.

/** Bytes emitted as themselves inside a Lua "..." string; everything else is escaped. */
const SAFE = /[A-Za-z0-9 _.,:;/=+*@#%^&()!?~|<>'{}[\]$-]/;
const NAMED: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
};

/**
 * Encodes text (as UTF-8) or raw bytes as a double-quoted Lua string of printable ASCII only.
 * Quotes, backslashes and common control characters get their short escapes; every other control or
 * non-ASCII byte becomes a 3-digit decimal escape, so the literal round-trips exactly (NUL included)
 * and cannot end the string or the `*_by_lua_block { }` it sits in.
 */
export function luaString(value: string | Uint8Array): string {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  let out = '"';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += NAMED[b] ?? (b < 0x80 && SAFE.test(ch) ? ch : `\\${b.toString().padStart(3, "0")}`);
  }
  return `${out}"`;
}

/** Text for a Lua `--` comment inside a `*_by_lua_block`: one line, no quotes, brackets or braces. */
export function luaComment(text: string): string {
  return [...text].map((c) => (/[A-Za-z0-9 _.,:;/=+*@#%^&()!?~|<>-]/.test(c) ? c : "?")).join("");
}
