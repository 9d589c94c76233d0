// Finds the Debian mirror this machine already uses, from the text of its apt sources, so no mirror host is ever written into the repo.

/** One `deb` line or deb822 stanza: where apt fetches which suites from. */
export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  enabled: boolean;
}

/** A sources file's name (decides its format: `.sources` is deb822, anything else one-line) and text. */
export interface AptSourcesFile {
  name: string;
  text: string;
}

/** Parses every apt sources file given, in order; unreadable lines are ignored as apt would warn and skip them. */
export function parseAptSources(files: AptSourcesFile[]): AptSource[] {
  return files.flatMap((f) =>
    f.name.endsWith(".sources") ? parseDeb822(f.text) : parseOneLine(f.text),
  );
}

/** The first enabled binary (`deb`) http(s) source that serves `suite`, or undefined; trailing slashes trimmed. */
export function pickDebianMirror(sources: AptSource[], suite: string): string | undefined {
  for (const s of sources) {
    if (!s.enabled || !s.types.includes("deb") || !s.suites.includes(suite)) continue;
    const uri = s.uris.find((u) => /^https?:\/\//.test(u));
    if (uri) return uri.replace(/\/+$/, "");
  }
  return undefined;
}

/** deb822 format: stanzas split by blank lines, `Key: value` fields, continuation lines start with a space. */
function parseDeb822(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const raw of stanza.split("\n")) {
      if (raw.trimStart().startsWith("#")) continue;
      if (/^[ \t]/.test(raw) && last !== undefined) {
        fields.set(last, `${fields.get(last) ?? ""} ${raw.trim()}`);
        continue;
      }
      const m = /^([A-Za-z0-9-]+):(.*)$/.exec(raw);
      if (!m) continue;
      last = m[1]!.toLowerCase();
      fields.set(last, m[2]!.trim());
    }
    if (!fields.has("uris")) continue;
    const words = (k: string) => (fields.get(k) ?? "").split(/\s+/).filter(Boolean);
    out.push({
      types: words("types"),
      uris: words("uris"),
      suites: words("suites"),
      enabled: (fields.get("enabled") ?? "yes").toLowerCase() !== "no",
    });
  }
  return out;
}

/** One-line format: `deb [options] URI suite [component...]`; comments and blank lines skipped. */
function parseOneLine(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    out.push({ types: [m[1]!], uris: [m[2]!], suites: [m[3]!], enabled: true });
  }
  return out;
}
