// Shell quoting for every value that lands in a generated script: the text reaches the program unchanged.

/** Characters that mean nothing to bash anywhere in a word (including inside `${x:-word}`). */
const PLAIN = /^[A-Za-z0-9_./:,+@%=-]+$/;

/**
 * One bash word holding exactly `s`: plain words stay readable, anything else is single-quoted with
 * embedded `'` written as `'\''`. Inside single quotes bash expands nothing ($, `, \, globs, newlines).
 */
export function shellQuote(s: string): string {
  if (PLAIN.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
