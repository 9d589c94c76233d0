// The nginx side of `orwasm reload`, checked without an engine: the throwaway validation conf listens on unix sockets
// only with one worker and the health notice on, the serving conf points at the new generation's plugins, and both
// scripts pass shellcheck and behave as written when run against fake nginx and /proc stand-ins.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generationId, nginxReloadPlan } from "../../src/reload/plan.js";
import { defaultTarget } from "../../src/render/target.js";
import { hasCommand, requireOrSkip } from "../helpers/skip.js";
import { projectFrom } from "../helpers/project.js";

const YAML = `plugins:
  - { name: add_header, file: a.wasm, config: v2 }
servers:
  - listen: 8080
    routes: [{ path: /, respond: {}, plugins: [add_header] }]
`;

function plan() {
  const project = projectFrom(YAML, { add_header: ["proxy_on_response_headers"] });
  return {
    project,
    plan: nginxReloadPlan(project, defaultTarget(project), {
      confPath: "/usr/local/openresty/nginx/conf/nginx.conf",
      nginxBin: "nginx",
      wasm: new Map([["add_header", new Uint8Array([0, 97, 115, 109])]]),
      graceSeconds: 5,
      drainSeconds: 0,
    }),
  };
}

const noShellcheck = requireOrSkip(
  "shellcheck",
  hasCommand("shellcheck"),
  "shellcheck is not installed (scripts/setup-test-env.sh installs it)",
);

describe("nginx reload plan", () => {
  it("stages the new generation under /tmp/orwasm-gen-ID and points the serving conf at its plugins", () => {
    const { project, plan: p } = plan();
    expect(p.stage).toBe(`/tmp/orwasm-gen-${generationId(project)}`);
    expect(p.conf.text).toContain(`path = "${p.stage}/plugins/add_header.wasm"`);
    expect(p.conf.text).toMatch(/listen 8080;/);
    expect(p.files.map((f) => f.path)).toContain(`${p.stage}/plugins/add_header.wasm`);
  });

  it("validates in a conf with one worker, unix sockets only, notices on, and the health record", () => {
    const { plan: p } = plan();
    const conf = p.files.find((f) => f.path.endsWith("/validate.conf"))!.content as string;
    expect(conf).toMatch(/^worker_processes 1;$/m);
    expect(conf).not.toMatch(/listen \d+;/);
    expect(conf).toContain(`listen unix:${p.stage}/validate-0.sock;`);
    expect(conf).toContain(`error_log "${p.stage}/validate-error.log" notice;`);
    expect(conf).toContain("lua_shared_dict orwasm_health");
    expect(conf).toContain("orwasm: worker ");
  });

  it("reload.sh drains before the HUP: writes the time into the drain file the Lua runtime reads, removes it after", () => {
    const { plan: p } = plan();
    const sh = p.files.find((f) => f.path.endsWith("/reload.sh"))!.content as string;
    expect(sh).toContain("drain=/tmp/orwasm-drain");
    const write = sh.indexOf('mv -f "$drain.tmp" "$drain"');
    const hup = sh.indexOf('kill -HUP "$master"');
    expect(write).toBeGreaterThan(0);
    expect(hup).toBeGreaterThan(write);
    expect(sh.indexOf('rm -f "$drain"', hup)).toBeGreaterThan(hup);
  });

  it("changes the generation id when a plugin's config changes", () => {
    const a = projectFrom(YAML, {});
    const b = projectFrom(YAML.replace("v2", "v3"), {});
    expect(generationId(a)).not.toBe(generationId(b));
  });

  describe.skipIf(noShellcheck)(
    `scripts${noShellcheck ? ` (skipped: ${noShellcheck})` : ""}`,
    () => {
      it("pass shellcheck", () => {
        const { plan: p } = plan();
        const dir = mkdtempSync(join(tmpdir(), "orwasm-reload-sh-"));
        for (const name of ["validate.sh", "reload.sh"]) {
          const f = join(dir, name);
          writeFileSync(f, p.files.find((x) => x.path.endsWith(`/${name}`))!.content as string);
          execFileSync("shellcheck", ["-s", "sh", f]);
        }
      });

      it("validate.sh reports failed with the plugin's reason when the throwaway nginx logs a load failure", () => {
        const { plan: p } = plan();
        const dir = mkdtempSync(join(tmpdir(), "orwasm-reload-fake-"));
        const script = (p.files.find((x) => x.path.endsWith("/validate.sh"))!.content as string)
          .replace(`stage=${p.stage}`, `stage=${dir}`)
          .replace(/^nginx -p/m, `${dir}/nginx -p`);
        // A fake nginx that writes what the glue writes when wasm.load fails, then waits for SIGQUIT.
        writeFileSync(
          join(dir, "nginx"),
          `#!/bin/sh\necho "2026/12/01 10:00:00 [error] 9#9: orwasm: plugin add_header failed to load from /x.wasm: bad magic" >> "${dir}/validate-error.log"\nexec sleep 30\n`,
          { mode: 0o755 },
        );
        writeFileSync(join(dir, "validate.sh"), script);
        let out = "";
        let code = 0;
        try {
          out = execFileSync("sh", [join(dir, "validate.sh")], { encoding: "utf8" });
        } catch (e) {
          code = (e as { status: number }).status;
          out = (e as { stdout: string }).stdout;
        }
        expect(code).toBe(1);
        expect(out).toContain("orwasm: plugin add_header failed to load from /x.wasm: bad magic");
        expect(out).toMatch(/orwasm-validate: failed$/m);
      });
    },
  );
});
