// Evaluates a smoke check's `expect` against the response that came back: every difference, none when it passed. Pure.
import type { SmokeCheckData } from "../project/schema-smoke.js";
import { showValue, type Difference } from "./difference.js";
import { jsonDifferences } from "./json-match.js";

/** A response as the checks see it: header names lower-cased, repeated headers joined with ", ". */
export interface SmokeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Expect = SmokeCheckData["expect"];
type HeaderExpect = Expect["headers"][string];
type BodyExpect = NonNullable<Expect["body"]>;

/** The differences between `expect` and `res`, in the order status, headers (as written), body. */
export function evaluateCheck(expect: Expect, res: SmokeResponse): Difference[] {
  const out: Difference[] = [];
  if (expect.status !== undefined && expect.status !== res.status) {
    out.push({ subject: "status", expected: String(expect.status), got: String(res.status) });
  }
  for (const [name, exp] of Object.entries(expect.headers)) {
    const d = headerDifference(name.toLowerCase(), exp, res.headers[name.toLowerCase()]);
    if (d) out.push(d);
  }
  if (expect.body !== undefined) out.push(...bodyDifferences(expect.body, res.body));
  return out;
}

/** One header expectation: a string means equals; `present`, `absent`, `equals`, `matches` (a regex). */
export function headerDifference(
  name: string,
  exp: HeaderExpect,
  got: string | undefined,
): Difference | undefined {
  const subject = `header ${name}`;
  const shown = showValue(got);
  if (typeof exp === "string" || "equals" in exp) {
    const want = typeof exp === "string" ? exp : exp.equals;
    return got === want ? undefined : { subject, expected: showValue(want), got: shown };
  }
  if ("present" in exp) {
    return got !== undefined ? undefined : { subject, expected: "(present)", got: shown };
  }
  if ("absent" in exp) {
    return got === undefined ? undefined : { subject, expected: "(absent)", got: shown };
  }
  return got !== undefined && new RegExp(exp.matches).test(got)
    ? undefined
    : { subject, expected: `to match /${exp.matches}/`, got: shown };
}

/** The body expectation: a string means equals; `contains`, `matches` (a regex), `json` (partial, see json-match). */
export function bodyDifferences(exp: BodyExpect, body: string): Difference[] {
  const subject = "body";
  if (typeof exp === "string" || "equals" in exp) {
    const want = typeof exp === "string" ? exp : exp.equals;
    return body === want ? [] : [{ subject, expected: showValue(want), got: showValue(body) }];
  }
  if ("contains" in exp) {
    return body.includes(exp.contains)
      ? []
      : [{ subject, expected: `to contain ${showValue(exp.contains)}`, got: showValue(body) }];
  }
  if ("matches" in exp) {
    return new RegExp(exp.matches).test(body)
      ? []
      : [{ subject, expected: `to match /${exp.matches}/`, got: showValue(body) }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return [
      {
        subject,
        expected: "JSON",
        got: `${showValue(body)} (${(err as Error).message})`,
      },
    ];
  }
  return jsonDifferences(exp.json, parsed);
}
