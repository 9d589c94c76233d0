// The proxy-wasm header map wire format (src/proxy_wasm/proxy_wasm_map.c): an i32 pair count, an
// i32 key length and value length per pair, then each key and each value followed by a NUL byte.

/** One header as the plugin and the host exchange it. */
export type HeaderPair = [name: string, value: string];

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Serialises pairs exactly like proxy_wasm_map_reserve does. */
export function encodeHeaderMap(pairs: readonly HeaderPair[]): Uint8Array {
  const parts = pairs.map(([k, v]) => [enc.encode(k), enc.encode(v)] as const);
  let size = 4 + pairs.length * 8;
  for (const [k, v] of parts) size += k.length + v.length + 2;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, pairs.length, true);
  let sizes = 4;
  let data = 4 + pairs.length * 8;
  for (const [k, v] of parts) {
    view.setInt32(sizes, k.length, true);
    view.setInt32(sizes + 4, v.length, true);
    sizes += 8;
    out.set(k, data);
    data += k.length + 1;
    out.set(v, data);
    data += v.length + 1;
  }
  return out;
}

/** Reads a map the plugin serialised; undefined when the sizes run past the buffer. */
export function decodeHeaderMap(bytes: Uint8Array): HeaderPair[] | undefined {
  if (bytes.length < 4) return bytes.length === 0 ? [] : undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getInt32(0, true);
  if (count < 0 || 4 + count * 8 > bytes.length) return undefined;
  const pairs: HeaderPair[] = [];
  let data = 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const kl = view.getInt32(4 + i * 8, true);
    const vl = view.getInt32(8 + i * 8, true);
    if (kl < 0 || vl < 0 || data + kl + vl + 2 > bytes.length) return undefined;
    const k = dec.decode(bytes.subarray(data, data + kl));
    data += kl + 1;
    const v = dec.decode(bytes.subarray(data, data + vl));
    data += vl + 1;
    pairs.push([k, v]);
  }
  return pairs;
}
