// A failed build's error: names the step and instruction that failed and carries the end of the build's log.
import { describe, expect, it } from "vitest";
import { BuildError } from "../../src/errors.js";
import { parseBuildMessages } from "../../src/docker/build-events.js";
import { BuildLog, buildFailure } from "../../src/docker/build-log.js";

function logOf(events: ReturnType<typeof parseBuildMessages>): BuildLog {
  const log = new BuildLog();
  for (const e of events) log.add(e);
  return log;
}

describe("buildFailure", () => {
  const message = "The command '/bin/sh -c ./configure' returned a non-zero code: 77";
  const output = Array.from({ length: 40 }, (_, i) => ({
    stream: `checking feature ${i + 1}... no\n`,
  }));
  const log = logOf(
    parseBuildMessages([
      { stream: "Step 1/3 : FROM debian:bookworm-slim\n ---> 0123456789ab\n" },
      { stream: "Step 2/3 : RUN ./configure\n ---> Running in 0000aaaa1111\n" },
      ...output,
      { stream: "configure: error: C compiler cannot create executables\n" },
      { errorDetail: { code: 77, message }, error: message },
    ]),
  );
  const err = buildFailure("orwasm/gw:dev", log);

  it("is a BuildError whose message names the image, the failing step, its instruction and the daemon's reason", () => {
    expect(err).toBeInstanceOf(BuildError);
    expect(err.message.split("\n")[0]).toBe(
      `docker build of orwasm/gw:dev failed at step 2/3 (RUN ./configure): ${message}`,
    );
  });

  it("carries the last 30 log lines, ending with the command's own output and the error", () => {
    expect(err.logTail).toHaveLength(30);
    expect(err.logTail.slice(-3)).toEqual([
      "checking feature 40... no",
      "configure: error: C compiler cannot create executables",
      `ERROR: ${message}`,
    ]);
    expect(err.message).toContain("configure: error: C compiler cannot create executables");
  });

  it("says the build stopped before any step when the daemon refused the request", () => {
    const e = buildFailure(
      "x:1",
      new BuildLog(),
      "dockerfile parse error line 2: unknown instruction: RUNN",
    );
    expect(e.message).toBe(
      "docker build of x:1 failed: dockerfile parse error line 2: unknown instruction: RUNN",
    );
    expect(e.logTail).toEqual([]);
  });
});

describe("BuildLog", () => {
  it("writes the transcript in docker build's own words", () => {
    const log = logOf(
      parseBuildMessages([
        { stream: "Step 1/2 : FROM debian:bookworm-slim\n ---> 0123456789ab\n" },
        { stream: "Step 2/2 : RUN true\n ---> Using cache\n ---> aaaabbbbcccc\n" },
        { aux: { ID: "sha256:aaaabbbbcccc" } },
        { stream: "Successfully tagged t:1\n" },
      ]),
    );
    expect(log.lines).toEqual([
      "Step 1/2 : FROM debian:bookworm-slim",
      " ---> 0123456789ab",
      "Step 2/2 : RUN true",
      " ---> Using cache",
      " ---> aaaabbbbcccc",
      "Successfully built sha256:aaaabbbbcccc",
      "Successfully tagged t:1",
    ]);
  });
});
