// `orwasm reload`: puts a project's new plugins and configs into a running gateway container and reloads it
// gracefully; a new generation that is not ready is refused and the old one keeps serving.
import { readFile } from "node:fs/promises";
import { OrwasmError } from "../errors.js";
import type { Project } from "../project/project.js";
import type { EngineTarget } from "../render/target.js";
import { EMBEDDED_ROLE_LABEL } from "../embedded-engine/image.js";
import { RELOAD_STATUS_FILE } from "../gateway/nginx-log.js";
import { embeddedReloadFiles, generationId, nginxReloadPlan, VALIDATE_RESULT } from "./plan.js";
import type { PutFile, ReloadTarget } from "./port.js";
import { refusalReasons } from "./reasons.js";

/** A reload the gateway refused: the previous version keeps serving; `reasons` are the log lines that say why. */
export class ReloadRefused extends OrwasmError {
  constructor(
    readonly reasons: string[],
    container: string,
  ) {
    super(
      "config",
      `the new version is not ready, so ${container} keeps serving the previous one:\n${reasons.map((r) => `  ${r}`).join("\n")}`,
    );
  }
}

/** What happened. */
export interface ReloadResult {
  engine: "nginx" | "embedded";
  generation: string;
  /** From sending the files to the new generation serving alone (ms). */
  ms: number;
}

/** How nginx is laid out in the container (orwasm's own engine, or a probed engine image). */
export interface NginxLayout {
  target: EngineTarget;
  confPath: string;
  nginxBin: string;
}

export async function reloadGateway(
  c: ReloadTarget,
  project: Project,
  layout: NginxLayout,
  opts: { onLine: (l: string) => void; graceSeconds?: number; drainSeconds?: number },
): Promise<ReloadResult> {
  const t0 = performance.now();
  const wasm = new Map<string, Uint8Array>();
  for (const p of project.plugins) wasm.set(p.data.name, await readFile(p.wasmPath));
  const labels = await c.imageLabels();
  const embedded = labels["org.orwasm.role"] === EMBEDDED_ROLE_LABEL["org.orwasm.role"];
  const generation = generationId(project);
  if (embedded) {
    const files = embeddedReloadFiles(project, wasm);
    // Kept to put back if the engine refuses, so a restart serves what is serving now.
    const previous: PutFile[] = [];
    for (const f of files) {
      const old = await c.read(f.path);
      if (old) previous.push({ path: f.path, content: old });
    }
    const status = async () => parseStatus(await c.read(RELOAD_STATUS_FILE));
    const before = (await status()).count;
    await c.put(files);
    opts.onLine(`sent ${files.length} files to ${c.name}; SIGHUP`);
    await c.signal("SIGHUP");
    const end = Date.now() + 60_000;
    let now = await status();
    while (now.count <= before) {
      if (Date.now() > end)
        throw new OrwasmError(
          "smoke",
          `${c.name} did not report the reload within 60 s (${RELOAD_STATUS_FILE})`,
        );
      await new Promise((r) => setTimeout(r, 50));
      now = await status();
    }
    if (!now.ok) {
      await c.put(previous);
      throw new ReloadRefused(now.reasons, c.name);
    }
    return { engine: "embedded", generation, ms: performance.now() - t0 };
  }
  const plan = nginxReloadPlan(project, layout.target, {
    confPath: layout.confPath,
    nginxBin: layout.nginxBin,
    wasm,
    graceSeconds: opts.graceSeconds ?? 90,
    drainSeconds: opts.drainSeconds ?? 1,
  });
  await c.put(plan.files);
  opts.onLine(`validating generation ${generation} in a throwaway nginx inside ${c.name}`);
  const checked = await c.exec(plan.validate);
  const result = VALIDATE_RESULT.exec(checked.output)?.[1] ?? "unknown";
  if (checked.code !== 0 || result !== "ready") {
    const reasons = refusalReasons(checked.output);
    throw new ReloadRefused(reasons.length ? reasons : [`validation ended: ${result}`], c.name);
  }
  await c.put([{ path: plan.conf.path, content: plan.conf.text }]);
  opts.onLine(
    `generation ${generation} is ready; draining keep-alive connections for ${opts.drainSeconds ?? 1} s, then SIGHUP to nginx`,
  );
  const reloaded = await c.exec(plan.reload);
  if (reloaded.code !== 0)
    throw new OrwasmError(
      "smoke",
      `nginx in ${c.name} did not finish reloading: ${reloaded.output.trim()}`,
    );
  return { engine: "nginx", generation, ms: performance.now() - t0 };
}

/** The embedded engine's reload status file: how many reloads ran, whether the last swapped in, and why not. */
function parseStatus(bytes: Uint8Array | undefined): {
  count: number;
  ok: boolean;
  reasons: string[];
} {
  if (!bytes) return { count: 0, ok: false, reasons: [] };
  const [head = "", ...rest] = Buffer.from(bytes).toString("utf8").split("\n");
  const m = /^(\d+) (reloaded|refused)$/.exec(head);
  return {
    count: m ? Number(m[1]) : 0,
    ok: m?.[2] === "reloaded",
    reasons: rest.filter((l) => l.trim() !== ""),
  };
}
