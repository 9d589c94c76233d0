// What a person sees while an image builds: each step as it starts, then "cached" or how long it took.
import { describe, expect, it } from "vitest";
import { parseBuildMessages } from "../../src/docker/build-events.js";
import { createBuildReporter } from "../../src/docker/build-reporter.js";

describe("createBuildReporter", () => {
  function run(verbose: boolean) {
    const lines: string[] = [];
    // The clock advances 1.5 s per reading.
    let t = 0;
    const r = createBuildReporter({
      write: (l) => lines.push(l),
      now: () => (t += 1500),
      verbose,
      prefix: "echo",
    });
    const message = "The command '/bin/sh -c false' returned a non-zero code: 1";
    for (const e of parseBuildMessages([
      { stream: "Step 1/4 : FROM debian:bookworm-slim\n ---> 0123456789ab\n" },
      { stream: "Step 2/4 : RUN apt-get update\n ---> Using cache\n ---> aaaabbbbcccc\n" },
      { stream: "Step 3/4 : RUN make\n ---> Running in 0000aaaa1111\ncc -o x x.c\n" },
      { stream: "Removing intermediate container 0000aaaa1111\n ---> bbbbccccdddd\n" },
      { stream: "Step 4/4 : RUN false\n ---> Running in 0000aaaa2222\n" },
      { errorDetail: { code: 1, message }, error: message },
    ]))
      r.onEvent(e);
    return { lines, steps: r.steps };
  }

  it("prints each step when it starts, then cached or the time it took, then the failure", () => {
    expect(run(false).lines).toEqual([
      "echo [1/4] FROM debian:bookworm-slim",
      "echo [2/4] RUN apt-get update",
      "echo [2/4] cached",
      "echo [3/4] RUN make",
      "echo [3/4] done in 1.5s",
      "echo [4/4] RUN false",
      "echo [4/4] FAILED after 1.5s: The command '/bin/sh -c false' returned a non-zero code: 1",
    ]);
  });

  it("in verbose mode also prints the commands' output, indented", () => {
    expect(run(true).lines).toContain("echo   | cc -o x x.c");
  });

  it("records each finished step's timing and whether it was cached", () => {
    expect(run(false).steps).toEqual([
      { step: 1, instruction: "FROM debian:bookworm-slim", cached: false, ms: 1500 },
      { step: 2, instruction: "RUN apt-get update", cached: true, ms: 1500 },
      { step: 3, instruction: "RUN make", cached: false, ms: 1500 },
    ]);
  });

  it("shortens a very long instruction to 100 characters", () => {
    const lines: string[] = [];
    const r = createBuildReporter({ write: (l) => lines.push(l) });
    r.onEvent({ kind: "step", step: 1, total: 1, instruction: `RUN ${"x".repeat(200)}` });
    expect(lines[0]).toBe(`[1/1] RUN ${"x".repeat(93)}...`);
  });
});
