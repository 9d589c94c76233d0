// Serialises an object plugin config from its YAML nodes, so the plugin receives exactly what the user wrote:
// integers of any size keep every digit, numbers keep their written form, `__proto__` stays an ordinary key,
// and what JSON cannot express (.inf, .nan) is refused with its position.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";

/** A JSON number as JSON writes it: kept as the user wrote it. */
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** Bounds for aliases inside one config: an alias bomb stops here instead of filling memory. */
const MAX_ALIASES = 100;
const MAX_OUTPUT = 64 * 1024 * 1024;

export interface ConfigJsonProblem {
  /** Offset in the source of the offending node. */
  offset: number;
  /** Key path below the config. */
  path: (string | number)[];
  message: string;
}

/** JSON text of a config map or list node, or the first problem that prevents it. */
export function configJson(
  doc: Document,
  node: Node,
): { json: string } | { problem: ConfigJsonProblem } {
  let aliases = 0;
  let size = 0;
  const fail = (n: unknown, path: (string | number)[], message: string): never => {
    const range = (n as Node | null)?.range;
    throw new ConfigJsonFailure({ offset: range?.[0] ?? 0, path, message });
  };
  const emit = (n: unknown, path: (string | number)[]): string => {
    if (isAlias(n)) {
      if (++aliases > MAX_ALIASES) fail(n, path, `uses more than ${MAX_ALIASES} aliases`);
      const target = n.resolve(doc);
      if (!target) fail(n, path, `alias *${n.source} has no anchor`);
      return emit(target, path);
    }
    let out: string;
    if (isMap(n)) {
      const parts: string[] = [];
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key, path, fail);
        parts.push(`${JSON.stringify(key)}:${emit(pair.value, [...path, key])}`);
      }
      out = `{${parts.join(",")}}`;
    } else if (isSeq(n)) {
      out = `[${n.items.map((item, i) => emit(item, [...path, i])).join(",")}]`;
    } else if (isScalar(n)) {
      out = scalarText(n, path, fail);
    } else if (n === null || n === undefined) {
      out = "null";
    } else {
      return fail(n, path, "is not a value JSON can express");
    }
    size += out.length;
    if (size > MAX_OUTPUT) fail(n, path, `expands to more than ${MAX_OUTPUT} bytes of JSON`);
    return out;
  };
  try {
    return { json: emit(node, []) };
  } catch (err) {
    if (err instanceof ConfigJsonFailure) return { problem: err.problem };
    throw err;
  }
}

class ConfigJsonFailure extends Error {
  constructor(readonly problem: ConfigJsonProblem) {
    super(problem.message);
  }
}

type Fail = (n: unknown, path: (string | number)[], message: string) => never;

function keyText(key: unknown, path: (string | number)[], fail: Fail): string {
  if (isScalar(key)) {
    if (typeof key.value === "string") return key.value;
    if (key.value === null) return "";
    // JSON keys are strings: a number or boolean key keeps its written form.
    // A scalar key holds a number, boolean or bigint here, never an object.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    return (key as { source?: string }).source ?? String(key.value);
  }
  return fail(key, path, "has a key that is not a plain value (JSON keys are strings)");
}

function scalarText(
  n: { value: unknown; source?: string },
  path: (string | number)[],
  fail: Fail,
): string {
  const v = n.value;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean" || v === null) return JSON.stringify(v);
  if (typeof v === "bigint" || typeof v === "number") {
    // A number written as JSON writes numbers (1.50, -0, 1e-400, 2^64+1) passes exactly as written.
    const src = n.source?.trim();
    if (src && JSON_NUMBER.test(src)) return src;
    if (typeof v === "bigint") return v.toString(); // 0x1F, 0o17: JSON has only decimal
    if (!Number.isFinite(v))
      return fail(
        n,
        path,
        `${src ?? String(v)} cannot be expressed in JSON (no infinity or NaN); quote it to pass a string`,
      );
    return JSON.stringify(v);
  }
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString("base64"));
  if (v instanceof Date) return JSON.stringify(n.source ?? v.toISOString());
  return fail(n, path, "is not a value JSON can express");
}
