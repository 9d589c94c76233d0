// nginx literal encoder: a value becomes one quoted token whatever it contains.

/**
 * Quotes a value as one nginx config token. Inside "..." nginx turns `\\` into `\` and `\"` into `"`,
 * and leaves other escapes alone, so doubling backslashes and escaping quotes preserves the text exactly.
 * Control characters cannot be expressed and are refused (the project rules reject them earlier, with a location).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;

export function nginxQuote(value: string): string {
  if (CONTROL_CHAR.test(value)) {
    throw new Error(`cannot quote a control character for nginx: ${JSON.stringify(value)}`);
  }
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
