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
 * The longest Lua string token orwasm writes, in characters of the rendered conf. lua-nginx-module's
 * `*_by_lua_block` reader sees a token whole only up to about 2 KB (half of nginx's 4 KB read buffer); past
 * that it may refuse the conf or read the token's content as nginx syntax. 256 keeps every token far below.
 */
export const MAX_LUA_TOKEN = 256;

/** Pieces per Lua function: LuaJIT allows at most 65536 constants in one function. */
const PIECES_PER_FUNCTION = 4096;

/** Each byte's form inside a Lua "..." string, computed once. */
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) => {
  const ch = String.fromCharCode(b);
  return NAMED[b] ?? (b < 0x80 && SAFE.test(ch) ? ch : `\\${b.toString().padStart(3, "0")}`);
});

/**
 * Encodes text (as UTF-8) or raw bytes as double-quoted Lua string literals of printable ASCII only, each at most
 * MAX_LUA_TOKEN characters long. Quotes, backslashes and common control characters get their short escapes; every
 * other control or non-ASCII byte becomes a 3-digit decimal escape, so the pieces round-trip exactly (NUL
 * included) and none can end the string or the `*_by_lua_block { }` it sits in. An escape is never split.
 */
export function luaStringPieces(value: string | Uint8Array): string[] {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const pieces: string[] = [];
  let cur: string[] = [];
  let len = 2; // the quotes
  for (let i = 0; i < bytes.length; i++) {
    const e = ESCAPED[bytes[i]!]!;
    if (len + e.length > MAX_LUA_TOKEN) {
      pieces.push(`"${cur.join("")}"`);
      cur = [];
      len = 2;
    }
    cur.push(e);
    len += e.length;
  }
  if (cur.length > 0 || pieces.length === 0) pieces.push(`"${cur.join("")}"`);
  return pieces;
}

/**
 * A Lua expression whose value is exactly `value`: one literal when it fits in MAX_LUA_TOKEN, otherwise
 * `table.concat` of short literals, grouped into functions so no function holds too many constants.
 * The result may span lines; every line is short.
 */
export function luaString(value: string | Uint8Array): string {
  const pieces = luaStringPieces(value);
  if (pieces.length === 1) return pieces[0]!;
  const groups: string[] = [];
  for (let i = 0; i < pieces.length; i += PIECES_PER_FUNCTION) {
    const group = pieces.slice(i, i + PIECES_PER_FUNCTION);
    groups.push(`(function() return table.concat({\n${group.join(",\n")},\n}) end)()`);
  }
  return groups.length === 1 ? groups[0]! : `table.concat({\n${groups.join(",\n")},\n})`;
}

/** The longest comment text orwasm writes: a comment is a token too. */
const MAX_COMMENT = 120;

/** Text for a Lua `--` or nginx `#` comment: one short line, no quotes, brackets or braces. */
export function luaComment(text: string): string {
  const safe = [...text].map((c) => (/[A-Za-z0-9 _.,:;/=+*@#%^&()!?~|<>-]/.test(c) ? c : "?"));
  return safe.length > MAX_COMMENT
    ? `${safe.slice(0, MAX_COMMENT - 3).join("")}...`
    : safe.join("");
}
