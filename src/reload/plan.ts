// Pure: what `orwasm reload` puts into a running gateway and runs there, for nginx (validate the new generation in a
// throwaway nginx, then HUP) and for the embedded engine (new files, then HUP; it validates by itself).
import { createHash } from "node:crypto";
import type { Project } from "../project/project.js";
import { renderNginxConf } from "../render/nginx-conf.js";
import { drainFile, type EngineTarget } from "../render/target.js";
import {
  containerPluginPath,
  containerProjectYaml,
  CONTAINER_PROJECT_FILE,
} from "../embedded-engine/container-project.js";
import { shellQuote } from "../engine/shell-quote.js";
import type { PutFile } from "./port.js";

/** The line validate.sh ends with: `orwasm-validate: ready|failed|exited|timeout`. */
export const VALIDATE_RESULT = /^orwasm-validate: (\w+)$/m;

/** A short id of what the new generation serves (plugins' bytes and the rendered configs). */
export function generationId(project: Project): string {
  const h = createHash("sha256").update(containerProjectYaml(project));
  for (const p of project.plugins) h.update(p.data.name).update(p.sha256);
  return h.digest("hex").slice(0, 12);
}

/** What an nginx reload does, step by step. */
export interface NginxReloadPlan {
  /** Folder of the new generation's plugins (referenced by the new nginx.conf) and its throwaway validation. */
  stage: string;
  /** Put before validating: plugins, the validation conf and the two scripts. */
  files: PutFile[];
  validate: string[];
  /** The serving nginx.conf's new text, put only when validation passed. */
  conf: { path: string; text: string };
  reload: string[];
}

/**
 * The new generation lives in /tmp/orwasm-gen-ID (writable even on a read-only root, where /tmp is an emptyDir): its
 * plugins, and a copy of nginx.conf that listens on unix sockets only, with one worker, that validate.sh starts in a
 * throwaway nginx to see every plugin load and configure (wasm loads only in init_worker, which `nginx -t` never runs).
 */
export function nginxReloadPlan(
  project: Project,
  target: EngineTarget,
  opts: {
    confPath: string;
    nginxBin: string;
    wasm: Map<string, Uint8Array>;
    graceSeconds: number;
    /** How long the serving workers answer "Connection: close" before the HUP. */
    drainSeconds: number;
  },
): NginxReloadPlan {
  const gen = generationId(project);
  const stage = `/tmp/orwasm-gen-${gen}`;
  const live: EngineTarget = { ...target, pluginDir: `${stage}/plugins` };
  const conf = renderNginxConf(project, live);
  const check: Project = {
    ...project,
    data: {
      ...project.data,
      gateway: { ...project.data.gateway, workerProcesses: 1, errorLogLevel: "notice" },
      servers: project.data.servers.map((s, i) => ({
        ...s,
        listen: `unix:${stage}/validate-${i}.sock`,
      })),
    },
  };
  const checkConf = renderNginxConf(
    check,
    {
      ...live,
      pidFile: `${stage}/validate.pid`,
      errorLog: `${stage}/validate-error.log`,
      accessLog: "off",
    },
    { health: { listen: `unix:${stage}/validate-health.sock` } },
  );
  const q = shellQuote;
  const validate = `#!/bin/sh
# orwasm reload: start the new generation in a throwaway nginx (unix sockets, one worker) and wait until its worker
# reports every plugin loaded and configured, or a plugin failed. The serving nginx is not touched.
stage=${q(stage)}
${q(opts.nginxBin)} -p "$stage/" -c "$stage/validate.conf" -g 'daemon off;' 2>"$stage/validate-stderr.log" &
pid=$!
result=timeout
i=0
while [ "$i" -lt 200 ]; do
  if grep -q 'orwasm: worker 0 ready' "$stage/validate-error.log" 2>/dev/null; then result=ready; break; fi
  if grep -qE 'orwasm: plugin .* (failed to load|rejected its configuration)|\\[emerg\\]' "$stage/validate-error.log" "$stage/validate-stderr.log" 2>/dev/null; then result=failed; break; fi
  if ! kill -0 "$pid" 2>/dev/null; then result=exited; break; fi
  sleep 0.1
  i=$((i + 1))
done
# nginx sets its own SIGQUIT handler (a background job starts with SIGQUIT ignored); anything else gets SIGKILL.
kill -QUIT "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
cat "$stage/validate-error.log" "$stage/validate-stderr.log" 2>/dev/null
echo "orwasm-validate: $result"
[ "$result" = ready ]
`;
  const drain = drainFile(target);
  const reload = `#!/bin/sh
# orwasm reload: drain, then HUP the serving nginx (new workers load the new plugins, old ones finish their requests),
# then wait until every worker of the previous generation has exited, so every request from now on meets the new
# version. Draining first: the serving workers answer "Connection: close" from the time written into the drain file,
# so keep-alive clients move to new connections before an old worker, quitting, closes the ones it holds.
master=$(cat ${q(target.pidFile)}) || exit 1
workers() { for p in /proc/[0-9]*; do [ "$(cut -d' ' -f4 "$p/stat" 2>/dev/null)" = "$master" ] && echo "\${p#/proc/}"; done; }
old=$(workers)
drain=${q(drain)}
now=$(date +%s.%N)
case "$now" in *[!0-9.]*) now=$(date +%s) ;; esac
printf '%s\n' "$now" >"$drain.tmp" && mv -f "$drain.tmp" "$drain" || exit 1
sleep ${opts.drainSeconds}
kill -HUP "$master" || { rm -f "$drain"; exit 1; }
i=0
while [ "$i" -lt ${opts.graceSeconds * 10} ]; do
  left=""
  for w in $old; do [ -d "/proc/$w" ] && left="$left $w"; done
  [ -z "$left" ] && { rm -f "$drain"; echo "orwasm-reload: previous workers gone"; exit 0; }
  sleep 0.1
  i=$((i + 1))
done
rm -f "$drain"
echo "orwasm-reload: previous workers still running:$left"
exit 1
`;
  const files: PutFile[] = [
    { path: stage, dir: true },
    { path: `${stage}/plugins`, dir: true, mode: 0o755 },
    { path: `${stage}/logs`, dir: true },
    ...project.plugins.map((p) => ({
      path: `${stage}/plugins/${p.data.name}.wasm`,
      content: opts.wasm.get(p.data.name) ?? new Uint8Array(),
    })),
    { path: `${stage}/validate.conf`, content: checkConf },
    { path: `${stage}/validate.sh`, content: validate, mode: 0o755 },
    { path: `${stage}/reload.sh`, content: reload, mode: 0o755 },
  ];
  return {
    stage,
    files,
    validate: ["sh", `${stage}/validate.sh`],
    conf: { path: opts.confPath, text: conf },
    reload: ["sh", `${stage}/reload.sh`],
  };
}

/** The files an embedded-engine reload replaces: the container's orwasm.yaml and each plugin's .wasm. */
export function embeddedReloadFiles(project: Project, wasm: Map<string, Uint8Array>): PutFile[] {
  return [
    { path: CONTAINER_PROJECT_FILE, content: containerProjectYaml(project) },
    ...project.plugins.map((p) => ({
      path: containerPluginPath(p.data.name),
      content: wasm.get(p.data.name) ?? new Uint8Array(),
    })),
  ];
}
