// Prints the Debian mirror this machine's apt already uses for SUITE (argv[2], default bookworm); exit 1 with a reason when none.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  parseAptSources,
  pickDebianMirror,
  type AptSourcesFile,
} from "../src/docker/apt-sources.js";

const suite = process.argv[2] ?? "bookworm";
const files: AptSourcesFile[] = [];
const read = (path: string) => {
  try {
    files.push({ name: path, text: readFileSync(path, "utf8") });
  } catch {
    // absent file: nothing to read
  }
};
read("/etc/apt/sources.list");
let parts: string[] = [];
try {
  parts = readdirSync("/etc/apt/sources.list.d").sort();
} catch {
  // no sources.list.d
}
for (const name of parts) {
  if (name.endsWith(".list") || name.endsWith(".sources"))
    read(join("/etc/apt/sources.list.d", name));
}
const mirror = pickDebianMirror(parseAptSources(files), suite);
if (!mirror) {
  process.stderr.write(
    `no enabled http(s) apt source for suite '${suite}' in /etc/apt/sources.list or /etc/apt/sources.list.d/*.{list,sources}; set ORWASM_DEBIAN_MIRROR\n`,
  );
  process.exit(1);
}
process.stdout.write(`${mirror}\n`);
