// nginx's location matching, in TypeScript, so the embedded gateway routes exactly like the rendered config.
import { pcreToJs } from "../project/pcre.js";
import type { RouteData } from "../project/schema.js";

/**
 * Picks the route nginx would pick for `uri` (path only, no query): an exact match first; else the longest
 * matching prefix is remembered, then regex locations are tried in order and the first match wins;
 * else the remembered prefix. Returns the route's index, or undefined for nginx's 404.
 */
export function matchRoute(routes: readonly RouteData[], uri: string): number | undefined {
  const path = normalizeUri(uri);
  let longest: number | undefined;
  let longestLen = -1;
  for (const [i, r] of routes.entries()) {
    if (r.match === "exact" && r.path === path) return i;
    if (r.match === "prefix" && path.startsWith(r.path) && r.path.length > longestLen) {
      longest = i;
      longestLen = r.path.length;
    }
  }
  for (const [i, r] of routes.entries()) {
    if (r.match === "regex" && compiled(r.path).test(path)) return i;
  }
  return longest;
}

/** What nginx matches against: the percent-decoded path with merged slashes (merge_slashes on). */
export function normalizeUri(uri: string): string {
  const path = uri.split("?")[0] ?? "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path;
  }
  return decoded.replace(/\/{2,}/g, "/");
}

/** A route's PCRE as JavaScript; the load refused every regex that does not translate. */
function compiled(source: string): RegExp {
  const r = pcreToJs(source);
  if ("error" in r)
    throw new Error(`route regex ${source} ${r.error}; the project rules should have caught it`);
  return r.re;
}
