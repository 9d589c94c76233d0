// One way a response differed from what a smoke check expected, and how it reads. Pure.

/** What was expected and what came back, e.g. subject `header x-hello`, expected `"world"`, got `(absent)`. */
export interface Difference {
  subject: string;
  expected: string;
  got: string;
}

/** `header x-hello: expected "world", got (absent)`. */
export function formatDifference(d: Difference): string {
  return `${d.subject}: expected ${d.expected}, got ${d.got}`;
}

/** Longest value shown in a difference before it is cut (with its full length named). */
export const SHOWN_MAX = 200;

/** A value as JSON (strings quoted, so white space and newlines are visible), cut to SHOWN_MAX characters. */
export function showValue(v: unknown): string {
  const text = v === undefined ? "(absent)" : JSON.stringify(v);
  return text.length <= SHOWN_MAX
    ? text
    : `${text.slice(0, SHOWN_MAX)}… (${text.length} characters in all)`;
}
