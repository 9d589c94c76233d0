// Maps a dotted key path in a parsed YAML document back to `line:col`, so every error can point at its source.
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from "yaml";

export interface Position {
  line: number;
  col: number;
}

export type PathKey = string | number;

/** Finds the deepest node on `path` (the key node itself when `atKey`), and returns its start position. */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PathKey[],
  atKey = false,
): Position {
  let node: unknown = doc.contents;
  let best: Position = { line: 1, col: 1 };
  const at = (n: unknown): Position | undefined => {
    const range = (n as Node | null)?.range;
    if (!range) return undefined;
    const p = lines.linePos(range[0]);
    return { line: p.line, col: p.col };
  };
  best = at(node) ?? best;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(key),
      );
      if (!pair) return best;
      if (last && atKey) return at(pair.key) ?? best;
      node = pair.value;
      best = at(node) ?? at(pair.key) ?? best;
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key];
      if (node === undefined) return best;
      best = at(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

/** Human form of a key path: `servers.0.routes.1.path`. */
export function dotted(path: readonly PathKey[]): string {
  return path.map(String).join(".");
}

/** The key path of the deepest node whose range holds `offset`: what a YAML error at that offset is about. */
export function pathAt(doc: Document, offset: number): PathKey[] {
  const path: PathKey[] = [];
  let node: unknown = doc.contents;
  const holds = (n: unknown) => {
    const r = (n as Node | null)?.range;
    return !!r && r[0] <= offset && offset <= r[2];
  };
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && (holds(it.key) || holds(it.value)));
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      if (holds(pair.key) && !holds(pair.value)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => holds(it));
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else {
      return path;
    }
  }
}
