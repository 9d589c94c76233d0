// RESP framing: a reply is handed to the plugin only when complete, byte for byte, whatever the TCP chunking.
import { describe, expect, it } from "vitest";
import { decodeReply, encodeCommand, replyEnd } from "../../src/redis/resp.js";

const b = (s: string) => new TextEncoder().encode(s);

describe("replyEnd", () => {
  it.each([
    ["+OK\r\n", 5],
    ["-ERR wrong\r\n", 12],
    [":42\r\n", 5],
    ["$5\r\nhello\r\n", 11],
    ["$-1\r\n", 5],
    ["*-1\r\n", 5],
    ["*3\r\n$1\r\na\r\n$-1\r\n:7\r\n", 20],
    ["*2\r\n*1\r\n+x\r\n$0\r\n\r\n", 18],
  ])("finds the end of reply %# at its byte count", (text, end) => {
    expect(replyEnd(b(text))).toBe(end);
  });

  it("waits for more bytes when a bulk string or array is cut anywhere", () => {
    const full = "*2\r\n$5\r\nhello\r\n:1\r\n";
    for (let cut = 1; cut < full.length; cut++) expect(replyEnd(b(full.slice(0, cut)))).toBe(-1);
    expect(replyEnd(b(full))).toBe(full.length);
  });

  it("stops at the first of two pipelined replies; a bulk may hold CRLF", () => {
    expect(replyEnd(b("$4\r\na\r\nb\r\n+OK\r\n"))).toBe(10);
  });

  it("refuses bytes that are not RESP", () => {
    expect(() => replyEnd(b("HTTP/1.1 200 OK\r\n"))).toThrow(/not a RESP reply/);
  });
});

describe("encodeCommand / decodeReply", () => {
  it("encodes bulk strings with byte lengths (UTF-8)", () => {
    expect(new TextDecoder().decode(encodeCommand(["SET", "k", "é"]))).toBe(
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n",
    );
  });
  it("decodes nested arrays, nils, integers and errors", () => {
    expect(decodeReply(b("*3\r\n$1\r\na\r\n$-1\r\n-ERR no\r\n")).value).toEqual([
      "a",
      null,
      { error: "ERR no" },
    ]);
  });
});
