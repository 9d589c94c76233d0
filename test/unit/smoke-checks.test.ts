// A smoke check's expectations against a response: what passes, and how each difference reads to the user.
import { describe, expect, it } from "vitest";
import { smokeCheckSchema } from "../../src/project/schema-smoke.js";
import { evaluateCheck, type SmokeResponse } from "../../src/checks/checks.js";
import { formatDifference } from "../../src/checks/difference.js";

/** The expect block as the project loader would produce it (schema defaults applied). */
const expectOf = (expect: unknown) => smokeCheckSchema.parse({ name: "c", expect }).expect;
const res = (over: Partial<SmokeResponse> = {}): SmokeResponse => ({
  status: 200,
  headers: {},
  body: "",
  ...over,
});
const diffs = (expect: unknown, r: SmokeResponse) =>
  evaluateCheck(expectOf(expect), r).map(formatDifference);

describe("status", () => {
  it("a matching status gives no difference", () => {
    expect(diffs({ status: 200 }, res())).toEqual([]);
  });
  it("a different status names both", () => {
    expect(diffs({ status: 403 }, res({ status: 200 }))).toEqual(["status: expected 403, got 200"]);
  });
});

describe("headers", () => {
  const r = res({ headers: { "x-hello": "world", server: "nginx/1.22.1" } });
  it("a plain string means equals, and header names match whatever their case", () => {
    expect(diffs({ headers: { "X-Hello": "world" } }, r)).toEqual([]);
    expect(diffs({ headers: { "x-hello": "World" } }, r)).toEqual([
      'header x-hello: expected "World", got "world"',
    ]);
  });
  it("an expected header that did not come back is reported as absent", () => {
    expect(diffs({ headers: { "x-missing": "world" } }, r)).toEqual([
      'header x-missing: expected "world", got (absent)',
    ]);
  });
  it("{equals} behaves like the plain string", () => {
    expect(diffs({ headers: { "x-hello": { equals: "world" } } }, r)).toEqual([]);
    expect(diffs({ headers: { "x-hello": { equals: "w" } } }, r)).toEqual([
      'header x-hello: expected "w", got "world"',
    ]);
  });
  it("{present: true} passes on any value and fails when the header is missing", () => {
    expect(diffs({ headers: { server: { present: true } } }, r)).toEqual([]);
    expect(diffs({ headers: { "x-id": { present: true } } }, r)).toEqual([
      "header x-id: expected (present), got (absent)",
    ]);
  });
  it("{absent: true} fails when the header came back, showing its value", () => {
    expect(diffs({ headers: { "x-id": { absent: true } } }, r)).toEqual([]);
    expect(diffs({ headers: { server: { absent: true } } }, r)).toEqual([
      'header server: expected (absent), got "nginx/1.22.1"',
    ]);
  });
  it("{matches} is a regular expression searched in the value", () => {
    expect(diffs({ headers: { server: { matches: "^nginx/1\\." } } }, r)).toEqual([]);
    expect(diffs({ headers: { server: { matches: "^openresty" } } }, r)).toEqual([
      'header server: expected to match /^openresty/, got "nginx/1.22.1"',
    ]);
    expect(diffs({ headers: { "x-id": { matches: "." } } }, r)).toEqual([
      "header x-id: expected to match /./, got (absent)",
    ]);
  });
});

describe("body", () => {
  it("a plain string must equal the whole body; the got value is quoted so a trailing newline shows", () => {
    expect(diffs({ body: "denied" }, res({ body: "denied" }))).toEqual([]);
    expect(diffs({ body: "denied" }, res({ body: "denied\n" }))).toEqual([
      'body: expected "denied", got "denied\\n"',
    ]);
    expect(diffs({ body: { equals: "a" } }, res({ body: "b" }))).toEqual([
      'body: expected "a", got "b"',
    ]);
  });
  it("{contains} and {matches} search the body", () => {
    expect(diffs({ body: { contains: "den" } }, res({ body: "denied" }))).toEqual([]);
    expect(diffs({ body: { contains: "ok" } }, res({ body: "denied" }))).toEqual([
      'body: expected to contain "ok", got "denied"',
    ]);
    expect(diffs({ body: { matches: "^d.n" } }, res({ body: "denied" }))).toEqual([]);
    expect(diffs({ body: { matches: "^ok$" } }, res({ body: "denied" }))).toEqual([
      'body: expected to match /^ok$/, got "denied"',
    ]);
  });
  it("a long body is cut in the message, which says how long it was", () => {
    const [d] = diffs({ body: "x" }, res({ body: "y".repeat(300) }));
    expect(d).toBe(`body: expected "x", got "${"y".repeat(199)}… (302 characters in all)`);
  });
});

describe("body {json}: objects match partially, arrays exactly, differences named by JSON path", () => {
  const echo = JSON.stringify({
    method: "GET",
    path: "/abc",
    query: { x: "1" },
    headers: { host: "gw", "x-added": "yes" },
    items: [{ id: 1, tag: "a" }, { id: 2 }],
  });
  it("keys the expectation leaves out are ignored", () => {
    expect(
      diffs(
        { body: { json: { path: "/abc", headers: { "x-added": "yes" } } } },
        res({ body: echo }),
      ),
    ).toEqual([]);
  });
  it("a missing nested key is reported at its path, with non-identifier keys bracketed", () => {
    expect(
      diffs(
        { body: { json: { headers: { "x-plugin": "1" }, query: { y: "2" } } } },
        res({ body: echo }),
      ),
    ).toEqual([
      'body $.headers["x-plugin"]: expected "1", got (absent)',
      'body $.query.y: expected "2", got (absent)',
    ]);
  });
  it('values are compared strictly: the number 1 is not the string "1"', () => {
    expect(diffs({ body: { json: { query: { x: 1 } } } }, res({ body: echo }))).toEqual([
      'body $.query.x: expected 1, got "1"',
    ]);
  });
  it("arrays must have the same length; elements are compared in order, objects in them partially", () => {
    expect(
      diffs({ body: { json: { items: [{ id: 1 }, { id: 2 }] } } }, res({ body: echo })),
    ).toEqual([]);
    expect(diffs({ body: { json: { items: [{ id: 1 }] } } }, res({ body: echo }))).toEqual([
      'body $.items: expected an array of 1, got an array of 2: [{"id":1,"tag":"a"},{"id":2}]',
    ]);
    expect(
      diffs({ body: { json: { items: [{ id: 1 }, { id: 3 }] } } }, res({ body: echo })),
    ).toEqual(["body $.items[1].id: expected 3, got 2"]);
  });
  it("a value of the wrong shape says what it was", () => {
    expect(diffs({ body: { json: { query: ["x"] } } }, res({ body: echo }))).toEqual([
      'body $.query: expected an array of 1, got an object: {"x":"1"}',
    ]);
    expect(diffs({ body: { json: { path: { a: 1 } } } }, res({ body: echo }))).toEqual([
      'body $.path: expected an object, got "/abc"',
    ]);
    expect(diffs({ body: { json: null } }, res({ body: "null" }))).toEqual([]);
  });
  it("a body that is not JSON says so, with the parser's reason", () => {
    const [d] = diffs({ body: { json: {} } }, res({ body: "<html>" }));
    expect(d).toMatch(/^body: expected JSON, got "<html>" \(.*JSON.*\)$/);
  });
});

it("several differences are all reported, status first, then headers as written, then body", () => {
  expect(
    diffs(
      { status: 403, headers: { "x-a": "1", "x-b": { absent: true } }, body: "denied" },
      res({ status: 200, headers: { "x-b": "2" }, body: "ok" }),
    ),
  ).toEqual([
    "status: expected 403, got 200",
    'header x-a: expected "1", got (absent)',
    'header x-b: expected (absent), got "2"',
    'body: expected "denied", got "ok"',
  ]);
});
