// Runs one command in a throw-away container of an image and captures its output (engine probing).
import type Docker from "dockerode";
import { demuxDockerLogs } from "./logs.js";

/** What the command printed and how it exited. */
export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Creates, starts, waits for and removes a container; rejects only when Docker itself fails. */
export async function runInImage(
  d: Docker,
  image: string,
  cmd: string[],
  opts?: { entrypoint?: string[] },
): Promise<CommandOutput> {
  let c: Docker.Container | undefined;
  try {
    c = await d.createContainer({
      Image: image,
      Cmd: cmd,
      ...(opts?.entrypoint ? { Entrypoint: opts.entrypoint } : {}),
      Labels: { "org.orwasm.role": "probe" },
    });
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const lines = demuxDockerLogs(await c.logs({ stdout: true, stderr: true, follow: false }));
    const of = (s: string) =>
      lines
        .filter((l) => l.stream === s)
        .map((l) => `${l.text}\n`)
        .join("");
    return { exitCode: StatusCode, stdout: of("stdout"), stderr: of("stderr") };
  } finally {
    await c?.remove({ force: true }).catch(() => undefined);
  }
}
