// Bodies as bytes: one converter for requests, streams and the Higress driver.

const enc = new TextEncoder();

/** Bytes from text or bytes. */
export function toBytes(b: Uint8Array | string | undefined): Uint8Array | undefined {
  if (b === undefined) return undefined;
  return typeof b === "string" ? enc.encode(b) : b;
}
