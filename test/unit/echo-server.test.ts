// The echo upstream replies with the request it received, and lets a test choose the status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  echoReply,
  startEchoServer,
  type EchoBody,
  type RunningEcho,
} from "../../src/upstream/echo-server.js";

const enc = new TextEncoder();
const req = (over: Partial<Parameters<typeof echoReply>[0]> = {}) =>
  echoReply({ method: "GET", url: "/", rawHeaders: [], body: new Uint8Array(), ...over });

describe("echoReply", () => {
  it("echoes method, raw path, decoded query (repeats as arrays), lower-cased headers and the UTF-8 body", () => {
    const r = req({
      method: "POST",
      url: "/a%20b/c?x=1&x=2&name=J%C3%BCrgen",
      rawHeaders: ["Host", "up", "X-Added", "one", "x-added", "two", "Content-Type", "text/plain"],
      body: enc.encode("héllo"),
    });
    expect(r.status).toBe(200);
    expect(r.headers).toEqual({ "content-type": "application/json" });
    const expected: EchoBody = {
      method: "POST",
      path: "/a%20b/c",
      query: { x: ["1", "2"], name: "Jürgen" },
      headers: { host: "up", "x-added": ["one", "two"], "content-type": "text/plain" },
      body: "héllo",
      bodyEncoding: "utf8",
    };
    expect(JSON.parse(r.body)).toEqual(expected);
  });

  it("returns a body that is not valid UTF-8 as base64", () => {
    const body = JSON.parse(req({ body: new Uint8Array([0xff, 0x00, 0xfe]) }).body) as EchoBody;
    expect(body).toMatchObject({ body: "/wD+", bodyEncoding: "base64" });
  });

  it("replies with the status named by /status/NNN, still echoing the request", () => {
    const r = req({ url: "/status/418?q=1" });
    expect(r.status).toBe(418);
    expect(JSON.parse(r.body)).toMatchObject({ path: "/status/418", query: { q: "1" } });
  });

  it("lets the x-echo-status header choose the status, over the path", () => {
    expect(req({ url: "/status/201", rawHeaders: ["X-Echo-Status", "503"] }).status).toBe(503);
  });

  it("sends no body with 204", () => {
    expect(req({ url: "/status/204" })).toEqual({ status: 204, headers: {}, body: "" });
  });

  it("answers 400 with a reason for a status it cannot send", () => {
    for (const bad of ["99", "600", "abc", "1000"]) {
      const r = req({ rawHeaders: ["x-echo-status", bad] });
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body)).toEqual({
        error: `echo: cannot reply with status '${bad}': give a number from 200 to 599`,
      });
    }
  });

  it("treats an empty query string and a bare path alike", () => {
    expect(JSON.parse(req({ url: "/p?" }).body)).toMatchObject({ path: "/p", query: {} });
  });
});

describe("startEchoServer", () => {
  let echo: RunningEcho;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo.close();
  });

  it("serves the echo over HTTP on a free local port", async () => {
    expect(echo.url).toBe(`http://127.0.0.1:${echo.port}`);
    const res = await fetch(`${echo.url}/up/stream?k=v`, {
      method: "PUT",
      headers: { "x-plugin": "ran", "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as EchoBody;
    expect(body).toMatchObject({
      method: "PUT",
      path: "/up/stream",
      query: { k: "v" },
      body: '{"a":1}',
      bodyEncoding: "utf8",
    });
    expect(body.headers["x-plugin"]).toBe("ran");
    expect(body.headers["content-length"]).toBe("7");
  });

  it("replies with the status a client asks for", async () => {
    const res = await fetch(`${echo.url}/status/502`);
    expect(res.status).toBe(502);
  });
});
