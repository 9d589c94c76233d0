// Reading a gateway's log to tell "could not start" (and why) from "slow": real log lines from nginx and WasmEdge.
import { describe, expect, it } from "vitest";
import { demuxDockerLogs } from "../../src/docker/logs.js";
import {
  crashLoopFailure,
  exitedStartFailure,
  pluginStartFailure,
  relevantLines,
} from "../../src/smoke/start-failure.js";

const START = [
  '2026/11/22 16:34:22 [notice] 1#1: using the "epoll" event method',
  "2026/11/22 16:34:22 [notice] 1#1: start worker process 7",
];

describe("a plugin that did not load", () => {
  it("the orwasm glue's 'failed to load' line makes a start failure naming the plugin; each worker's copy shows once", () => {
    const lines = [
      ...START,
      "[2026-11-22 16:34:22.101] [error] instantiation failed: unknown import, Code: 0x62",
      '[2026-11-22 16:34:22.101] [error]     When linking module: "env" , function name: "not_a_host_function"',
      "2026/11/22 16:34:22 [error] 7#7: failed to load wasm plugin",
      "2026/11/22 16:34:22 [error] 7#7: orwasm: plugin bad failed to load from /usr/share/nginx/wasm/bad.wasm: failed to load wasm plugin",
      "[2026-11-22 16:34:22.102] [error] instantiation failed: unknown import, Code: 0x62",
      "2026/11/22 16:34:22 [error] 8#8: orwasm: plugin bad failed to load from /usr/share/nginx/wasm/bad.wasm: failed to load wasm plugin",
    ];
    const f = pluginStartFailure(lines)!;
    expect(f.message).toBe(
      "the gateway answers, but plugin bad could not be loaded or configured, so every route using it fails",
    );
    expect(f.lines).toEqual([lines[2], lines[3], lines[4], lines[5]]);
  });
  it("a configuration the plugin rejected counts too", () => {
    const f = pluginStartFailure([
      "2026/11/22 16:34:22 [error] 7#7: orwasm: plugin deny_list rejected its configuration (context 1): failed to run proxy_on_configure",
    ]);
    expect(f?.message).toContain("plugin deny_list could not be loaded or configured");
  });
  it("the VM's own instantiation error alone is enough", () => {
    expect(
      pluginStartFailure(["[2026-11-22 16:34:22.101] [error] instantiation failed: unknown import"])
        ?.message,
    ).toContain("a plugin (the wasm VM refused it)");
  });
  it("a healthy start-up log is no failure", () => {
    expect(
      pluginStartFailure([...START, "2026/11/22 16:34:22 [info] 7#7: loaded wasm plugin"]),
    ).toBeUndefined();
  });
});

describe("nginx exited", () => {
  it("the message carries the first [emerg] line without its time stamp", () => {
    const f = exitedStartFailure("nginx", 1, [
      '2026/11/22 16:34:22 [emerg] 1#1: unknown directive "wasm_vm" in /etc/nginx/nginx.conf:12',
    ]);
    expect(f.message).toBe(
      'nginx exited with status 1 before answering: [emerg] unknown directive "wasm_vm" in /etc/nginx/nginx.conf:12',
    );
    expect(f.lines).toHaveLength(1);
  });
  it("without an [emerg] line it still says it exited and with which status", () => {
    expect(
      exitedStartFailure("the gateway container", 127, ["sh: 1: nginx: not found"]).message,
    ).toBe("the gateway container exited with status 127 before answering");
  });
});

it("only error-and-worse lines and orwasm's lines are relevant; notices and access log lines are not", () => {
  expect(
    relevantLines([
      ...START,
      '172.18.0.1 - - [22/Nov/2026:16:34:22 +0000] "GET / HTTP/1.1" 200 113',
      "2026/11/22 16:34:22 [warn] 7#7: orwasm: plugin p failed in request headers (fail-open, continuing): boom",
      "2026/11/22 16:34:22 [crit] 7#7: something",
    ]),
  ).toEqual([
    "2026/11/22 16:34:22 [warn] 7#7: orwasm: plugin p failed in request headers (fail-open, continuing): boom",
    "2026/11/22 16:34:22 [crit] 7#7: something",
  ]);
});

describe("Docker's multiplexed log stream", () => {
  const frame = (stream: 1 | 2, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  it("splits frames into lines tagged stdout/stderr, joining a line split across frames", () => {
    const buf = Buffer.concat([
      frame(2, "[emerg] a\n[err"),
      frame(1, "GET / 200\n"),
      frame(2, "or] b\n"),
      frame(1, "no newline"),
    ]);
    expect(demuxDockerLogs(buf)).toEqual([
      { stream: "stderr", text: "[emerg] a" },
      { stream: "stdout", text: "GET / 200" },
      { stream: "stderr", text: "[error] b" },
      { stream: "stdout", text: "no newline" },
    ]);
  });
  it("a TTY container's plain output is taken as stdout lines", () => {
    expect(demuxDockerLogs(Buffer.from("one\r\ntwo\n"))).toEqual([
      { stream: "stdout", text: "one" },
      { stream: "stdout", text: "two" },
    ]);
  });
});

describe("workers that die as they load a plugin", () => {
  // wasmtime 0.38.1 (rustc 1.63 build) on a module whose start function traps: nginx respawns the worker forever
  const worker = (pid: number) => [
    `2026/12/02 02:06:34 [notice] 1#1: start worker process ${pid}`,
    "thread '<unnamed>' panicked at 'object used with the wrong store', crates/wasmtime/src/store/data.rs:258:5",
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    "fatal runtime error: Rust panics must be rethrown",
    `2026/12/02 02:06:34 [notice] 1#1: signal 17 (SIGCHLD) received from ${pid}`,
    `2026/12/02 02:06:34 [alert] 1#1: worker process ${pid} exited on signal 6`,
  ];

  it("three deaths make a start failure that names the signal and the VM's panic, each line once", () => {
    const lines = [...START, ...worker(6), ...worker(7), ...worker(8)];
    const f = crashLoopFailure(lines)!;
    expect(f.message).toBe(
      "nginx workers keep dying as they start (3 times, on signal 6); the VM panicked: object used with the wrong store: a plugin crashes the worker that loads it",
    );
    expect(f.lines).toEqual([
      "thread '<unnamed>' panicked at 'object used with the wrong store', crates/wasmtime/src/store/data.rs:258:5",
      "2026/12/02 02:06:34 [alert] 1#1: worker process 6 exited on signal 6",
      "2026/12/02 02:06:34 [alert] 1#1: worker process 7 exited on signal 6",
      "2026/12/02 02:06:34 [alert] 1#1: worker process 8 exited on signal 6",
    ]);
  });

  it("fewer deaths are not a crash loop yet", () => {
    expect(crashLoopFailure([...START, ...worker(6), ...worker(7)])).toBeUndefined();
  });

  it("newer Rust's panic format (the message on the next line) is read too", () => {
    const lines = [
      ...START,
      "thread '<unnamed>' panicked at crates/wasmtime/src/store/data.rs:258:5:",
      "object used with the wrong store",
      ...[6, 7, 8].map(
        (p) => `2026/12/02 02:06:34 [alert] 1#1: worker process ${p} exited on signal 6`,
      ),
    ];
    expect(crashLoopFailure(lines)!.message).toContain(
      "the VM panicked: object used with the wrong store:",
    );
  });
});
