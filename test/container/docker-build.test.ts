// Real builds on the local daemon: a tiny image from the local base, then one whose RUN step fails.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BuildError } from "../../src/errors.js";
import type { BuildEvent } from "../../src/docker/build-events.js";
import { imageLabels } from "../../src/docker/images.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);
const docker = (await testDocker()).images;
const tag = (name: string) => `orwasm-test/${name}:${process.pid}`;
const dirs: string[] = [];

async function contextWith(dockerfile: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "orwasm-build-test-"));
  dirs.push(dir);
  await writeFile(join(dir, "Dockerfile"), dockerfile);
  await writeFile(join(dir, "greeting.txt"), "hello from the context\n");
  return dir;
}

describe.skipIf(skip)(
  `docker builds on the local daemon${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    afterAll(async () => {
      for (const t of [tag("tiny"), tag("broken")]) await docker.remove(t, { force: true });
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    it("builds a tiny image from debian:bookworm-slim, labels it, and reports cached steps on a rebuild", async () => {
      const dir = await contextWith(
        "FROM debian:bookworm-slim\nCOPY greeting.txt /greeting.txt\nRUN grep -q hello /greeting.txt && echo checked\n",
      );
      const events: BuildEvent[] = [];
      const { imageId } = await docker.build(
        { dir },
        { tag: tag("tiny"), labels: { "org.orwasm.test": "tiny" } },
        (e) => events.push(e),
      );
      expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect((await docker.info(tag("tiny")))?.id).toBe(imageId);
      expect(await imageLabels(docker, tag("tiny"))).toMatchObject({ "org.orwasm.test": "tiny" });
      const steps = events.filter((e) => e.kind === "step").map((e) => e.instruction);
      expect(steps.slice(0, 3)).toEqual([
        "FROM debian:bookworm-slim",
        "COPY greeting.txt /greeting.txt",
        "RUN grep -q hello /greeting.txt && echo checked",
      ]);

      const again: BuildEvent[] = [];
      const second = await docker.build(
        { dir },
        { tag: tag("tiny"), labels: { "org.orwasm.test": "tiny" } },
        (e) => again.push(e),
      );
      expect(second.imageId).toBe(imageId);
      expect(again.filter((e) => e.kind === "cached").map((e) => e.step)).toEqual(
        again
          .filter((e) => e.kind === "step" && e.step > 1)
          .map((e) => (e as { step: number }).step),
      );
    });

    it("rejects a build whose RUN fails with a BuildError naming the step and showing the command's output", async () => {
      const dir = await contextWith(
        "FROM debian:bookworm-slim\nRUN echo 'preparing the widget'; echo 'widget exploded' >&2; exit 3\nRUN echo never\n",
      );
      const err = await docker.build({ dir }, { tag: tag("broken") }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BuildError);
      const e = err as BuildError;
      expect(e.message.split("\n")[0]).toBe(
        `docker build of ${tag("broken")} failed at step 2/3 ` +
          `(RUN echo 'preparing the widget'; echo 'widget exploded' >&2; exit 3): ` +
          `The command '/bin/sh -c echo 'preparing the widget'; echo 'widget exploded' >&2; exit 3' returned a non-zero code: 3`,
      );
      expect(e.logTail).toContain("preparing the widget");
      expect(e.logTail).toContain("widget exploded");
      expect(e.logTail).not.toContain("never");
      expect(await docker.info(tag("broken"))).toBeUndefined();
    });

    it("rejects a Dockerfile the daemon cannot parse with the daemon's reason", async () => {
      const dir = await contextWith("FROM debian:bookworm-slim\nRUNN echo typo\n");
      await expect(docker.build({ dir }, { tag: tag("broken") })).rejects.toThrow(
        /docker build of orwasm-test\/broken:\d+ failed: .*unknown instruction: RUNN/i,
      );
    });
  },
);
