// nginx's `location ~` regexes are PCRE, not JavaScript: this translates the PCRE a route may use into an
// equivalent JavaScript RegExp for the embedded router, and refuses what PCRE refuses (or what has no equivalent).

export type PcreResult = { re: RegExp } | { error: string };

const cache = new Map<string, PcreResult>();

/** Translates a PCRE pattern (as nginx compiles it for `location ~`) to a RegExp, or says why it cannot. */
export function pcreToJs(source: string): PcreResult {
  let r = cache.get(source);
  if (!r) {
    r = translate(source);
    cache.set(source, r);
  }
  return r;
}

function translate(source: string): PcreResult {
  let src = source;
  let flags = "";
  // Leading option settings, e.g. (?i) or (?is): PCRE applies them to the whole pattern, as JS flags do.
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    if (lead[1]!.includes("x"))
      return { error: "the (?x) option (extended syntax) is not supported by orwasm's router" };
    flags = [...new Set(lead[1])].join("");
    src = src.slice(lead[0].length);
  }
  let out = "";
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\") {
      const n = src[i + 1];
      if (n === undefined) return { error: "ends with a lone backslash" };
      if (n === "Q") {
        const end = src.indexOf("\\E", i + 2);
        const lit = src.slice(i + 2, end < 0 ? undefined : end);
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (n === "A") out += "^";
      else if (n === "z") out += "$";
      else if (n === "Z") out += "(?=\\n?$)";
      else if (n === "h") out += "[ \\t]";
      else if (n === "H") out += "[^ \\t]";
      else if ("KRXGCgN".includes(n))
        return { error: `\\${n} is PCRE-only and not supported by orwasm's router` };
      else out += c + n;
      i++;
      continue;
    }
    if (c === "[") {
      // Copy a character class whole: nothing inside it is a group or quantifier.
      let j = i + 1;
      if (src[j] === "^") j++;
      if (src[j] === "]") j++;
      for (; j < src.length && src[j] !== "]"; j++) if (src[j] === "\\") j++;
      if (j >= src.length) return { error: "has an unterminated character class ([ without ])" };
      out += src.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === "(" && src[i + 1] === "?") {
      const rest = src.slice(i + 2);
      if (rest.startsWith("P<")) {
        out += "(?<";
        i += 3;
        continue;
      }
      const backref = /^P=(\w+)\)/.exec(rest);
      if (backref) {
        out += `\\k<${backref[1]}>`;
        i += 2 + backref[0].length - 1;
        continue;
      }
      if (rest.startsWith("<=") || rest.startsWith("<!")) {
        const body = groupBody(src, i);
        if (body === undefined) return { error: "has an unterminated group" };
        const inner = body.slice(3);
        if (!lookbehindIsFixed(inner))
          return {
            error:
              "has a lookbehind of variable length, which PCRE (and so nginx) refuses: each alternative in (?<=...) must have a fixed length",
          };
      } else if (rest.startsWith(">") || /^(P>|R\)|[0-9+-]|&|\||[imsx-]+[:)]|#|C)/.test(rest)) {
        return {
          error: `the PCRE construct (?${rest.slice(0, 2)}... has no equivalent in orwasm's router`,
        };
      }
    }
    if (c === "+" && i > 0 && isQuantifierEnd(src, i - 1)) {
      return { error: "possessive quantifiers (*+, ++, ?+) are not supported by orwasm's router" };
    }
    out += c;
  }
  try {
    return { re: new RegExp(out, flags) };
  } catch (err) {
    return { error: `is not a valid regular expression: ${(err as Error).message}` };
  }
}

/** True when src[i] ends a quantifier (*, +, ?, {n,m}) that is not itself escaped. */
function isQuantifierEnd(src: string, i: number): boolean {
  const c = src[i];
  if (c !== "*" && c !== "+" && c !== "?" && c !== "}") return false;
  let backslashes = 0;
  for (let j = i - 1; j >= 0 && src[j] === "\\"; j--) backslashes++;
  if (backslashes % 2 === 1) return false;
  return !(c === "?" && src[i - 1] === "(");
}

/** The text of the group opening at src[start] ("(" ... ")"), without the closing paren. */
function groupBody(src: string, start: number): string | undefined {
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "[") {
      for (i++; i < src.length && src[i] !== "]"; i++) if (src[i] === "\\") i++;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")" && --depth === 0) return src.slice(start, i);
  }
  return undefined;
}

/** PCRE1: every top-level alternative of a lookbehind has a fixed length (they may differ). */
function lookbehindIsFixed(body: string): boolean {
  return splitTop(body).every((alt) => fixedLength(alt) !== undefined);
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") {
      cur += c + (s[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      for (; j < s.length && s[j] !== "]"; j++) if (s[j] === "\\") j++;
      cur += s.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "|" && depth === 0) {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Length of what `s` matches when it is fixed, else undefined. Nested alternatives must agree. */
function fixedLength(s: string): number | undefined {
  let len = 0;
  let last = 0; // length of the last atom, for {n}
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "*" || c === "+" || c === "?") return undefined;
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(i));
      if (!m) {
        len += 1;
        last = 1;
        continue;
      }
      if (m[2] !== undefined && m[3] !== m[1]) return undefined;
      len += last * (Number(m[1]) - 1);
      i += m[0].length - 1;
      last = 0;
      continue;
    }
    if (c === "^" || c === "$") {
      last = 0;
      continue;
    }
    if (c === "\\") {
      const n = s[i + 1] ?? "";
      i++;
      if ("bBAzZG".includes(n)) {
        last = 0;
        continue;
      }
      len += 1;
      last = 1;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (s[j] === "^") j++;
      if (s[j] === "]") j++;
      for (; j < s.length && s[j] !== "]"; j++) if (s[j] === "\\") j++;
      i = j;
      len += 1;
      last = 1;
      continue;
    }
    if (c === "(") {
      const body = groupBody(s, i);
      if (body === undefined) return undefined;
      i += body.length;
      let inner = body.slice(1);
      if (/^\?(=|!|<=|<!)/.test(inner)) {
        last = 0; // an assertion matches no characters
        continue;
      }
      inner = inner.replace(/^\?(:|P?<\w+>|'\w+')/, "");
      const lens = splitTop(inner).map(fixedLength);
      if (lens.some((l) => l === undefined) || new Set(lens).size !== 1) return undefined;
      len += lens[0]!;
      last = lens[0]!;
      continue;
    }
    len += 1;
    last = 1;
  }
  return len;
}
