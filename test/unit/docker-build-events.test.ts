// The classic builder's JSON messages, written by hand from Docker's documented build output, parsed into events.
import { describe, expect, it } from "vitest";
import {
  parseBuildMessages,
  splitJsonLines,
  type BuildEvent,
  type BuildMessage,
} from "../../src/docker/build-events.js";

// A fresh two-step build: FROM, then a RUN that writes to stdout and (colour-wrapped) stderr, then a LABEL.
const freshBuild: BuildMessage[] = [
  { stream: "Step 1/3 : FROM debian:bookworm-slim" },
  { stream: "\n" },
  { stream: " ---> 0123456789ab\n" },
  { stream: "Step 2/3 : RUN apt-get update && echo ok" },
  { stream: "\n" },
  { stream: " ---> Running in fedcba987654\n" },
  { stream: "Get:1 http://mirror.invalid/debian bookworm InRelease\n" },
  { stream: "\u001b[91mW: something on stderr\n\u001b[0m" },
  { stream: "ok\n" },
  { stream: "Removing intermediate container fedcba987654\n" },
  { stream: " ---> aaaabbbbcccc\n" },
  { stream: "Step 3/3 : LABEL org.orwasm.role=test" },
  { stream: "\n" },
  { stream: " ---> Running in 111122223333\n" },
  { stream: "Removing intermediate container 111122223333\n" },
  { stream: " ---> ddddeeeeffff\n" },
  { aux: { ID: "sha256:ddddeeeeffff0000" } },
  { stream: "Successfully built ddddeeeeffff\n" },
  { stream: "Successfully tagged orwasm/test:1\n" },
];

describe("parseBuildMessages", () => {
  it("reports steps with their instruction, RUN output without colour codes, each layer, the image id and the tag", () => {
    const expected: BuildEvent[] = [
      { kind: "step", step: 1, total: 3, instruction: "FROM debian:bookworm-slim" },
      { kind: "step-done", step: 1, layer: "0123456789ab" },
      { kind: "step", step: 2, total: 3, instruction: "RUN apt-get update && echo ok" },
      { kind: "running", step: 2, container: "fedcba987654" },
      { kind: "output", step: 2, text: "Get:1 http://mirror.invalid/debian bookworm InRelease" },
      { kind: "output", step: 2, text: "W: something on stderr" },
      { kind: "output", step: 2, text: "ok" },
      { kind: "step-done", step: 2, layer: "aaaabbbbcccc" },
      { kind: "step", step: 3, total: 3, instruction: "LABEL org.orwasm.role=test" },
      { kind: "running", step: 3, container: "111122223333" },
      { kind: "step-done", step: 3, layer: "ddddeeeeffff" },
      { kind: "built", imageId: "sha256:ddddeeeeffff0000" },
      { kind: "tagged", ref: "orwasm/test:1" },
    ];
    expect(parseBuildMessages(freshBuild)).toEqual(expected);
  });

  it("marks a step whose layer came from the cache", () => {
    const events = parseBuildMessages([
      { stream: "Step 2/3 : RUN apt-get update\n" },
      { stream: " ---> Using cache\n" },
      { stream: " ---> aaaabbbbcccc\n" },
    ]);
    expect(events).toEqual([
      { kind: "step", step: 2, total: 3, instruction: "RUN apt-get update" },
      { kind: "cached", step: 2 },
      { kind: "step-done", step: 2, layer: "aaaabbbbcccc" },
    ]);
  });

  it("joins a line split across messages and splits a message holding several lines", () => {
    const events = parseBuildMessages([
      { stream: "Step 1/1 : RUN printf 'a\\nb'" },
      { stream: "\n ---> Running in 0000aaaa1111\npart" },
      { stream: "ial line\nsecond\nno newline at the end" },
    ]);
    expect(events).toEqual([
      { kind: "step", step: 1, total: 1, instruction: "RUN printf 'a\\nb'" },
      { kind: "running", step: 1, container: "0000aaaa1111" },
      { kind: "output", step: 1, text: "partial line" },
      { kind: "output", step: 1, text: "second" },
      { kind: "output", step: 1, text: "no newline at the end" },
    ]);
  });

  it("reports a failed RUN as an error tied to the running step, after the command's last output", () => {
    const message = "The command '/bin/sh -c make' returned a non-zero code: 2";
    const events = parseBuildMessages([
      { stream: "Step 1/2 : FROM debian:bookworm-slim\n ---> 0123456789ab\n" },
      { stream: "Step 2/2 : RUN make\n ---> Running in 0000aaaa1111\n" },
      { stream: "make: *** No targets specified and no makefile found.  Stop." },
      { errorDetail: { code: 2, message }, error: message },
    ]);
    expect(events.slice(-2)).toEqual([
      {
        kind: "output",
        step: 2,
        text: "make: *** No targets specified and no makefile found.  Stop.",
      },
      { kind: "error", step: 2, message, code: 2 },
    ]);
  });

  it("reports an error that has only errorDetail, and one before any step as step 0", () => {
    expect(parseBuildMessages([{ errorDetail: { message: "COPY failed: no such file" } }])).toEqual(
      [{ kind: "error", step: 0, message: "COPY failed: no such file" }],
    );
  });

  it("passes status messages through with their id and progress", () => {
    expect(
      parseBuildMessages([
        { status: "Downloading", id: "abc123", progress: "[==>   ] 1MB/5MB" },
        { status: "Pull complete", id: "abc123", progress: "" },
      ]),
    ).toEqual([
      { kind: "status", status: "Downloading", id: "abc123", progress: "[==>   ] 1MB/5MB" },
      { kind: "status", status: "Pull complete", id: "abc123" },
    ]);
  });

  it("keeps an arrow line that is not a layer id as output", () => {
    expect(parseBuildMessages([{ stream: " ---> [Warning] something odd\n" }])).toEqual([
      { kind: "output", step: 0, text: " ---> [Warning] something odd" },
    ]);
  });
});

describe("splitJsonLines", () => {
  it("returns whole messages and keeps a message cut between chunks for the next call", () => {
    const first = splitJsonLines(
      "",
      '{"stream":"Step 1/1 : FROM x"}\r\n{"stream":"\\n"}\r\n{"aux":{"I',
    );
    expect(first.messages).toEqual([{ stream: "Step 1/1 : FROM x" }, { stream: "\n" }]);
    const second = splitJsonLines(first.rest, 'D":"sha256:1"}}\r\n');
    expect(second).toEqual({ rest: "", messages: [{ aux: { ID: "sha256:1" } }] });
  });

  it("keeps a line that is not JSON as stream text", () => {
    expect(splitJsonLines("", "502 Bad Gateway\n").messages).toEqual([
      { stream: "502 Bad Gateway\n" },
    ]);
  });
});
