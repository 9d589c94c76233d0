// Partial JSON matching for `expect.body.json`: objects match when every expected key matches (extra keys are fine),
// arrays must have the same length with every element matching, other values must be equal. Pure.
import type { Difference } from "./difference.js";
import { showValue } from "./difference.js";

/** Every place where `actual` does not contain `expected`, named by its JSON path (`$.a[0]["x-y"]`). */
export function jsonDifferences(expected: unknown, actual: unknown, path = "$"): Difference[] {
  const at = `body ${path}`;
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ subject: at, expected: "an object", got: describe(actual) }];
    return Object.entries(expected).flatMap(([k, v]) =>
      Object.hasOwn(actual, k)
        ? jsonDifferences(v, actual[k], childPath(path, k))
        : [{ subject: `body ${childPath(path, k)}`, expected: showValue(v), got: "(absent)" }],
    );
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      return [{ subject: at, expected: `an array of ${expected.length}`, got: describe(actual) }];
    }
    if (actual.length !== expected.length) {
      return [
        {
          subject: at,
          expected: `an array of ${expected.length}`,
          got: `an array of ${actual.length}: ${showValue(actual)}`,
        },
      ];
    }
    return expected.flatMap((v, i) => jsonDifferences(v, actual[i], `${path}[${i}]`));
  }
  if (expected === actual) return [];
  return [{ subject: at, expected: showValue(expected), got: showValue(actual) }];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}: ${showValue(v)}`;
  if (isObject(v)) return `an object: ${showValue(v)}`;
  return showValue(v);
}
