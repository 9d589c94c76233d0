// The Docker adapter of `orwasm reload`'s ReloadTarget: files by archive, exec as the container's user, signals, logs.
import type Docker from "dockerode";
import { extract, pack } from "tar-stream";
import { SmokeError } from "../errors.js";
import type { PutFile, ReloadTarget } from "./port.js";
import { demuxDockerLogs } from "../docker/logs.js";
import { describeDockerError } from "../docker/errors.js";
import { connectDockerode } from "../docker/client-dockerode.js";

/** The running container `name` as a reload target, on the daemon the one client finds (or `d`). */
export async function dockerReloadTarget(name: string, d?: Docker): Promise<ReloadTarget> {
  d ??= (await connectDockerode()).dockerode;
  const c = d.getContainer(name);
  const info = await c.inspect().catch((err: unknown) => {
    throw new SmokeError(`no running container ${name}: ${describeDockerError(err)}`);
  });
  if (!info.State.Running) throw new SmokeError(`container ${name} is not running`);
  return {
    name,
    async imageLabels() {
      return (await d.getImage(info.Image).inspect()).Config.Labels ?? {};
    },
    async put(files: PutFile[]) {
      const p = pack();
      for (const f of files) {
        const name = f.path.replace(/^\/+/, "");
        if (f.dir) p.entry({ name, type: "directory", mode: f.mode ?? 0o777 });
        else p.entry({ name, mode: f.mode ?? 0o644 }, Buffer.from(f.content ?? ""));
      }
      p.finalize();
      const chunks: Buffer[] = [];
      for await (const ch of p as AsyncIterable<Buffer>) chunks.push(ch);
      await c.putArchive(Buffer.concat(chunks), { path: "/" });
    },
    async read(path: string) {
      const stream = await c.getArchive({ path }).catch(() => undefined);
      if (!stream) return undefined;
      const ex = extract();
      const out: Buffer[] = [];
      const done = new Promise<void>((ok, fail) => {
        ex.on("entry", (_h, s, next) => {
          s.on("data", (b: Buffer) => out.push(b));
          s.on("end", next);
          s.resume();
        });
        ex.on("finish", ok);
        ex.on("error", fail);
      });
      stream.pipe(ex);
      await done;
      return Buffer.concat(out);
    },
    async exec(cmd: string[]) {
      const e = await c.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const s = await e.start({});
      const chunks: Buffer[] = [];
      await new Promise<void>((ok) => {
        s.on("data", (b: Buffer) => chunks.push(b));
        s.on("end", () => ok());
      });
      const output = demuxDockerLogs(Buffer.concat(chunks))
        .map((l) => l.text)
        .join("\n");
      return { code: (await e.inspect()).ExitCode ?? -1, output };
    },
    async signal(signal) {
      await c.kill({ signal });
    },
    async logsSince(since: number) {
      const buf = await c.logs({ stdout: true, stderr: true, since });
      return demuxDockerLogs(buf).map((l) => l.text);
    },
  };
}
