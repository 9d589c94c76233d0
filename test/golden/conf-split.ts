// Conf goldens hold what their case changes: the Lua runtime's code, the same for every project, is kept once in
// __snapshots__/lua-runtime.lua, and each conf golden has a placeholder line where it stands.

const INDENT = "            ";
const START = `${INDENT}local live = {} -- context index -> plugin ctx, per worker`;
const END = "        end)()";

/** The line that stands for the runtime's code in a conf golden. */
export const RUNTIME_PLACEHOLDER = `${INDENT}-- (the runtime's code, the same for every project: see lua-runtime.lua beside this file)`;

/** Splits a rendered nginx.conf into the conf with the placeholder and the runtime's code (de-indented). */
export function splitRuntime(conf: string): { conf: string; runtime: string } {
  const lines = conf.split("\n");
  const start = lines.indexOf(START);
  const end = lines.indexOf(END, start);
  if (start < 0 || end < 0) throw new Error("the rendered conf has no Lua runtime to split off");
  const code = lines.slice(start + 1, end);
  return {
    conf: [...lines.slice(0, start + 1), RUNTIME_PLACEHOLDER, ...lines.slice(end)].join("\n"),
    runtime: `${code.map((l) => (l.startsWith(INDENT) ? l.slice(INDENT.length) : l.trimStart())).join("\n")}\n`,
  };
}

/** The whole conf again, from a golden and the runtime golden (for checks that need the real file, as nginx -t). */
export function joinRuntime(conf: string, runtime: string): string {
  const code = runtime
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => (l === "" ? "" : `${INDENT}${l}`))
    .join("\n");
  return conf.replace(RUNTIME_PLACEHOLDER, code);
}
