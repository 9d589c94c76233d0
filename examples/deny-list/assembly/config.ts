// The deny-list configuration and a small, strict JSON reader for it. AssemblyScript 0.14 has
// no JSON in its standard library and no exceptions, so errors are returned, not thrown.
//
// Accepted: {"deny": ["/admin", ...], "status": 403, "body": "denied"}
//   deny    required; paths starting with "/"
//   status  optional, default 403; an integer from 200 to 599
//   body    optional, default "denied"
// Anything else (unknown keys, duplicate keys, trailing text, bad JSON) is an error.

/** The parsed configuration. */
export class DenyConfig {
  deny: Array<string> = [];
  status: i32 = 403;
  body: string = "denied";
}

/** Either a config or an error message saying what is wrong and where. */
export class ParseResult {
  config: DenyConfig | null = null;
  error: string = "";
}

/** Parses the plugin configuration text. */
export function parseDenyConfig(text: string): ParseResult {
  const p = new Reader(text);
  const result = new ParseResult();
  const config = new DenyConfig();
  let seenDeny = false;
  let seenStatus = false;
  let seenBody = false;

  p.ws();
  if (!p.expect(0x7b /* { */)) return p.result(result);
  p.ws();
  if (p.peek() == 0x7d /* } */) {
    p.i++;
  } else {
    while (true) {
      p.ws();
      const key = p.str();
      if (key === null) return p.result(result);
      p.ws();
      if (!p.expect(0x3a /* : */)) return p.result(result);
      p.ws();
      if (key == "deny") {
        if (seenDeny) return p.failResult(result, 'duplicate key "deny"');
        seenDeny = true;
        const list = p.pathList();
        if (list === null) return p.result(result);
        config.deny = list;
      } else if (key == "status") {
        if (seenStatus) return p.failResult(result, 'duplicate key "status"');
        seenStatus = true;
        const status = p.int();
        if (status < 0) return p.result(result);
        if (status < 200 || status > 599) {
          return p.failResult(result, '"status" must be from 200 to 599, got ' + status.toString());
        }
        config.status = status;
      } else if (key == "body") {
        if (seenBody) return p.failResult(result, 'duplicate key "body"');
        seenBody = true;
        const body = p.str();
        if (body === null) return p.result(result);
        config.body = body;
      } else {
        return p.failResult(result, 'unknown key "' + key + '" (expected deny, status, body)');
      }
      p.ws();
      const c = p.peek();
      if (c == 0x2c /* , */) {
        p.i++;
        continue;
      }
      if (!p.expect(0x7d /* } */)) return p.result(result);
      break;
    }
  }
  p.ws();
  if (p.i < text.length) return p.failResult(result, "unexpected text after the object");
  if (!seenDeny) return p.failResult(result, 'missing key "deny" (a list of path prefixes)');
  result.config = config;
  return result;
}

/** A cursor over the text; the first error sticks. */
class Reader {
  s: string;
  i: i32 = 0;
  error: string = "";

  constructor(s: string) {
    this.s = s;
  }

  peek(): i32 {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.i++;
    }
  }

  fail(message: string): void {
    if (this.error.length == 0) this.error = message + " (at offset " + this.i.toString() + ")";
  }

  result(r: ParseResult): ParseResult {
    r.error = this.error.length > 0 ? this.error : "invalid configuration";
    return r;
  }

  failResult(r: ParseResult, message: string): ParseResult {
    this.fail(message);
    return this.result(r);
  }

  expect(c: i32): bool {
    if (this.peek() != c) {
      this.fail("expected '" + String.fromCharCode(c) + "'");
      return false;
    }
    this.i++;
    return true;
  }

  /** A JSON string; null on error. */
  str(): string | null {
    if (!this.expect(0x22 /* " */)) return null;
    let out = "";
    while (true) {
      if (this.i >= this.s.length) {
        this.fail("unterminated string");
        return null;
      }
      const c = this.s.charCodeAt(this.i++);
      if (c == 0x22) return out;
      if (c < 0x20) {
        this.i--;
        this.fail("control character in string");
        return null;
      }
      if (c != 0x5c /* \ */) {
        out += String.fromCharCode(c);
        continue;
      }
      const e = this.peek();
      this.i++;
      if (e == 0x22 || e == 0x5c || e == 0x2f) out += String.fromCharCode(e);
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75 /* u */) {
        let code = 0;
        for (let k = 0; k < 4; k++) {
          const d = hexDigit(this.peek());
          if (d < 0) {
            this.fail("bad \\u escape");
            return null;
          }
          code = (code << 4) | d;
          this.i++;
        }
        out += String.fromCharCode(code);
      } else {
        this.i--;
        this.fail("bad escape");
        return null;
      }
    }
  }

  /** A non-negative JSON integer; -1 on error. */
  int(): i32 {
    const start = this.i;
    let value = 0;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c < 0x30 || c > 0x39) break;
      if (value > 100000) {
        this.fail("number too large");
        return -1;
      }
      value = value * 10 + (c - 0x30);
      this.i++;
    }
    const next = this.peek();
    if (this.i == start || next == 0x2e || next == 0x65 || next == 0x45) {
      this.fail("expected a whole number");
      return -1;
    }
    return value;
  }

  /** A JSON list of path strings, each starting with "/"; null on error. */
  pathList(): Array<string> | null {
    if (!this.expect(0x5b /* [ */)) return null;
    const out = new Array<string>();
    this.ws();
    if (this.peek() == 0x5d /* ] */) {
      this.i++;
      return out;
    }
    while (true) {
      this.ws();
      const at = this.i;
      const item = this.str();
      if (item === null) return null;
      if (!item.startsWith("/")) {
        this.i = at;
        this.fail('every "deny" entry must start with \'/\', got "' + item + '"');
        return null;
      }
      out.push(item);
      this.ws();
      if (this.peek() == 0x2c /* , */) {
        this.i++;
        continue;
      }
      if (!this.expect(0x5d /* ] */)) return null;
      return out;
    }
  }
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}
