// Pure parsing of a project file's text: YAML → schema-checked data, with every problem located at once.
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import type { Problem } from "../errors.js";
import { configJson } from "./config-json.js";
import { dotted, locate, pathAt, type PathKey } from "./locate.js";
import { checkRules } from "./rules.js";
import { projectSchema, type ProjectData } from "./schema.js";

export interface ParsedProject {
  data?: ProjectData;
  problems: Problem[];
  /** Position of a key path in the file, for rules that run after the schema. */
  where: (path: readonly PathKey[], atKey?: boolean) => { line: number; col: number };
}

export function parseProjectText(text: string, file: string): ParsedProject {
  const lines = new LineCounter();
  // Integers are read as BigInt so a config's 2^53+ integers keep every digit (see config-json.ts).
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    intAsBigInt: true,
  });
  const where = (path: readonly PathKey[], atKey = false) => locate(doc, lines, path, atKey);
  const yamlProblems: Problem[] = doc.errors.map((e) => {
    const p = lines.linePos(e.pos[0]);
    const path = dotted(pathAt(doc, e.pos[0]));
    return {
      file,
      line: p.line,
      col: p.col,
      path: path || undefined,
      message: `YAML: ${e.message.split("\n")[0]}`,
    };
  });
  if (yamlProblems.length > 0) return { problems: yamlProblems, where };

  let raw: unknown;
  try {
    raw = doc.toJS({
      maxAliasCount: 100,
      // Outside configs every number is an ordinary one; an unsafe integer stays BigInt and fails the schema.
      reviver: (_key, value) =>
        typeof value === "bigint" && Number.isSafeInteger(Number(value)) ? Number(value) : value,
    });
  } catch (err) {
    return {
      problems: [
        {
          file,
          line: 1,
          col: 1,
          message: `YAML: ${(err as Error).message} (aliases may expand at most 100 times)`,
        },
      ],
      where,
    };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      problems: [
        { file, line: 1, col: 1, message: "the project file must be a YAML mapping (key: value)" },
      ],
      where,
    };
  }
  const configProblems = serialiseConfigs(doc, raw as Record<string, unknown>, file, lines);
  jsonExpectationsAsNumbers(raw);
  const result = projectSchema.safeParse(raw, { reportInput: true });
  const problems = [
    ...configProblems,
    ...(result.success ? [] : issuesToProblems(result.error.issues, file, where)),
  ];
  if (result.success && problems.length === 0) return { data: result.data, problems, where };
  if (!result.success) problems.push(...rulesDespiteSchema(raw, file, where));
  return { problems, where };
}

/**
 * Every problem at once: when the schema refuses some values, the cross-reference rules still run on a copy
 * with those values removed (defaults fill in). A rule problem under a removed list item is dropped, because
 * the items after it moved; so is one at a path the schema already reported.
 */
function rulesDespiteSchema(raw: object, file: string, where: ParsedProject["where"]): Problem[] {
  const copy = structuredClone(raw) as Record<PathKey, unknown>;
  const reported: string[] = [];
  const shifted: string[] = [];
  const removed = new Set<string>();
  const remove = (path: PathKey[]): boolean => {
    while (path.length > 0 && removed.has(dotted(path))) path = path.slice(0, -1);
    // Removing a whole plugin, upstream or server would turn references to it into false problems.
    if (path.length <= 2) return false;
    removed.add(dotted(path));
    let parent: unknown = copy;
    for (const k of path.slice(0, -1)) parent = (parent as Record<PathKey, unknown>)?.[k];
    const last = path[path.length - 1]!;
    if (Array.isArray(parent) && typeof last === "number") {
      parent.splice(last, 1);
      shifted.push(dotted(path.slice(0, -1)));
    } else if (parent && typeof parent === "object") {
      delete (parent as Record<PathKey, unknown>)[last];
    } else return false;
    return true;
  };
  for (let round = 0; round < 8; round++) {
    const r = projectSchema.safeParse(copy);
    if (r.success) {
      const under = (p: string, prefix: string) => p === prefix || p.startsWith(`${prefix}.`);
      return checkRules(r.data, file, where).filter(
        (p) =>
          !shifted.some((a) => under(p.path ?? "", a)) &&
          !reported.some((q) => under(p.path ?? "", q) || under(q, p.path ?? "")),
      );
    }
    // Deepest first, so removing one item does not move the path of another.
    const issues = flattenUnions(r.error.issues).sort((a, b) => b.path.length - a.path.length);
    for (const issue of issues) {
      const path = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
      reported.push(dotted(path));
      const ok =
        issue.code === "unrecognized_keys"
          ? issue.keys.every((k) => remove([...path, k]))
          : remove(path);
      if (!ok) return [];
    }
  }
  return [];
}

/**
 * A body expectation (`json:`) is compared with JSON.parse's numbers, which are doubles: its big integers
 * (kept as BigInt by the reader) become numbers too, so they compare the same way and never break JSON output.
 */
function jsonExpectationsAsNumbers(node: unknown, underJson = false): unknown {
  if (typeof node === "bigint") return underJson ? Number(node) : node;
  if (node === null || typeof node !== "object") return node;
  const o = node as Record<PathKey, unknown>;
  for (const k of Object.keys(o)) o[k] = jsonExpectationsAsNumbers(o[k], underJson || k === "json");
  return node;
}

/** Paths of every config a project can hold: plugins, route plugins, test plugins. */
function configPaths(raw: Record<string, unknown>): PathKey[][] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const out: PathKey[][] = [];
  list(raw.plugins).forEach((_, i) => out.push(["plugins", i, "config"]));
  list(raw.servers).forEach((s, i) =>
    list(obj(s).routes).forEach((r, j) =>
      list(obj(r).plugins).forEach((_, k) =>
        out.push(["servers", i, "routes", j, "plugins", k, "config"]),
      ),
    ),
  );
  list(raw.tests).forEach((t, i) =>
    list(obj(t).plugins).forEach((_, k) => out.push(["tests", i, "plugins", k, "config"])),
  );
  return out;
}

/**
 * Replaces each object or list config in `raw` by its JSON text, written from the YAML nodes (config-json.ts),
 * so what reaches the plugin is what the user wrote. Returns the problems, located.
 */
function serialiseConfigs(
  doc: Document,
  raw: Record<string, unknown>,
  file: string,
  lines: LineCounter,
): Problem[] {
  const problems: Problem[] = [];
  for (const path of configPaths(raw)) {
    let parent: unknown = raw;
    for (const k of path.slice(0, -1)) parent = (parent as Record<PathKey, unknown>)[k];
    const holder = parent as Record<string, unknown>;
    const value = holder.config;
    if (value === null || typeof value !== "object") continue;
    const node = doc.getIn(path, true);
    if (!isNode(node)) continue;
    const r = configJson(doc, node);
    if ("json" in r) {
      holder.config = r.json;
    } else {
      const p = lines.linePos(r.problem.offset);
      problems.push({
        file,
        line: p.line,
        col: p.col,
        path: dotted([...path, ...r.problem.path]),
        message: r.problem.message,
      });
    }
  }
  return problems;
}

function issuesToProblems(
  issues: z.core.$ZodIssue[],
  file: string,
  where: ParsedProject["where"],
): Problem[] {
  const out: Problem[] = [];
  for (const issue of flattenUnions(issues)) {
    const path = issue.path.filter((k): k is PathKey => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const full = [...path, key];
        out.push({
          file,
          ...where(full, true),
          path: dotted(full),
          message: `unknown key '${key}'`,
        });
      }
      continue;
    }
    out.push({ file, ...where(path), path: dotted(path) || undefined, message: describe(issue) });
  }
  return dedupe(out);
}

/** A union's own message ("invalid input") says little: report the branch that got furthest instead. */
function flattenUnions(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branches = issue.errors.map((b) =>
        b.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
      );
      // The branch whose issues sit deepest matched the user's intent best; ties go to the first.
      const depth = (b: z.core.$ZodIssue[]) => Math.max(...b.map((i) => i.path.length));
      const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      if (depth(best) > issue.path.length) {
        out.push(...flattenUnions(best));
        continue;
      }
      out.push({ ...issue, message: unionMessage(branches) });
      continue;
    }
    out.push(issue);
  }
  return out;
}

function unionMessage(branches: z.core.$ZodIssue[][]): string {
  const expected = branches
    .flat()
    .map((i) =>
      i.code === "invalid_type"
        ? i.expected
        : i.code === "invalid_value"
          ? i.values.map((v) => JSON.stringify(v)).join(" | ")
          : undefined,
    )
    .filter((x): x is string => !!x);
  return expected.length
    ? `expected ${[...new Set(expected)].join(" or ")}`
    : "does not match any accepted form";
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `is required (${issue.expected})`
        : `expected ${issue.expected}, got ${typeName(issue.input)}`;
    case "invalid_key":
      // A record's key failed its own check: say which check, not just "invalid key".
      return issue.issues[0]?.message ?? issue.message;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "bigint") return `integer ${v} (beyond what a number here can hold)`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
