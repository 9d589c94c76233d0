// Lua literal encoders: whatever a user writes reaches Lua byte for byte, and can never close a string or block.

/** Bytes emitted as themselves inside a Lua "..." string; everything else becomes \ddd. */
const SAFE = /[A-Za-z0-9 _.,:/=+*@#%^&()!?~|<>'-]/;

/**
 * Encodes text (as UTF-8) or raw bytes as a double-quoted Lua string using only printable ASCII.
 * Quotes, backslashes, brackets, braces, control bytes and non-ASCII bytes become 3-digit decimal escapes,
 * so the literal is safe inside `*_by_lua_block { }` and round-trips exactly (NUL included).
 */
export function luaString(value: string | Uint8Array): string {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  let out = '"';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && SAFE.test(ch) ? ch : `\\${b.toString().padStart(3, "0")}`;
  }
  return `${out}"`;
}

/** Text for a Lua `--` comment inside a `*_by_lua_block`: one line, no quotes, brackets or braces. */
export function luaComment(text: string): string {
  return [...text].map((c) => (SAFE.test(c) && c !== "'" ? c : "?")).join("");
}
