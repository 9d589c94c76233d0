// How the driver reaches an engine: directly in this thread, or in a worker thread that can be
// terminated when a call overruns its deadline (wasm on the calling thread cannot be interrupted).

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from "node:worker_threads";
import { ModuleEngine, LoadFailure } from "./engine.js";
import type { EngineCall, EngineInit, LoadReport, LogEntry, ReplyFor } from "./protocol.js";
import { fromWire } from "./wire.js";

/** A call did not finish within the deadline; the worker (and the plugin instance) is gone. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`the plugin did not return within ${ms} ms (deadline); its instance was terminated`);
  }
}

/** The worker died for another reason (e.g. out of memory for the whole thread). */
export class EngineDied extends Error {}

/** One engine behind a uniform async interface. */
export interface EngineTransport {
  /** Loads the plugin; throws LoadFailure. */
  load(init: EngineInit): Promise<LoadReport>;
  /** Runs a call; throws DeadlineExceeded / EngineDied when the engine is gone. */
  call<C extends EngineCall>(call: C): Promise<ReplyFor<C>>;
  /** False after a deadline or a crash, until load() succeeds again. */
  readonly alive: boolean;
  close(): Promise<void>;
}

/** Engine in the caller's thread: no hop, no deadline. */
export class InThreadTransport implements EngineTransport {
  private engine: ModuleEngine | undefined;

  get alive(): boolean {
    return this.engine !== undefined;
  }

  async load(init: EngineInit): Promise<LoadReport> {
    const { engine, report } = ModuleEngine.load(init);
    this.engine = engine;
    return report;
  }

  async call<C extends EngineCall>(call: C): Promise<ReplyFor<C>> {
    if (!this.engine) throw new EngineDied("the plugin is not loaded");
    return this.engine.handle(call);
  }

  async close(): Promise<void> {
    this.engine = undefined;
  }
}

type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string; loadLogs?: LogEntry[] };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Bootstrap code for the worker: silence Node's "WASI is experimental" warning, then import the
 * entry file. Running from TypeScript sources (tests, tsx) registers tsx's loader in the worker.
 */
function workerBootstrap(): string {
  const here = import.meta.url;
  const ts = here.endsWith(".ts");
  const entry = new URL(ts ? "./worker-entry.ts" : "./worker-entry.js", here).href;
  const steps = ['process.removeAllListeners("warning");', "Promise.resolve()"];
  if (ts) {
    // the "import" target of tsx's "./esm/api" export (createRequire only sees the require one)
    const pkg = createRequire(here).resolve("tsx/package.json");
    const api = pathToFileURL(join(dirname(pkg), "dist/esm/api/index.mjs")).href;
    steps.push(`.then(() => import(${JSON.stringify(api)})).then((m) => m.register())`);
  }
  steps.push(`.then(() => import(${JSON.stringify(entry)}));`);
  return steps.join("");
}

/** Engine in a worker thread; every call is bounded by `deadlineMs`. */
export class WorkerTransport implements EngineTransport {
  private worker: Worker | undefined;
  /** Each worker's end of its channel. */
  private readonly ports = new WeakMap<Worker, MessagePort>();

  /** Closes the channel of a worker that is gone, so it no longer holds the process open. */
  private drop(worker: Worker): void {
    this.ports.get(worker)?.close();
    this.ports.delete(worker);
  }
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly deadlineMs: number) {}

  get alive(): boolean {
    return this.worker !== undefined;
  }

  async load(init: EngineInit): Promise<LoadReport> {
    await this.close();
    // A channel of its own rather than the Worker's: one message event instead of two (the Worker re-emits its
    // port's), and replies that queued up meanwhile are taken in the same turn, without an event each.
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(workerBootstrap(), {
      eval: true,
      workerData: { port: port2 },
      transferList: [port2],
    });
    worker.unref();
    port1.on("message", (posted: unknown) => {
      this.settle(fromWire<WorkerReply>(posted));
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1))
        this.settle(fromWire<WorkerReply>(m.message));
    });
    port1.unref();
    this.ports.set(worker, port1);
    worker.on("error", (err) =>
      this.died(worker, new EngineDied(`the plugin worker failed: ${err.message}`)),
    );
    worker.on("exit", () => this.died(worker, new EngineDied("the plugin worker exited")));
    this.worker = worker;
    // loading runs _start and the start section: bounded by the deadline too (plus start-up time)
    return (await this.send({ kind: "load", init }, this.deadlineMs + 10_000)) as LoadReport;
  }

  call<C extends EngineCall>(call: C): Promise<ReplyFor<C>> {
    return this.send({ kind: "call", call }, this.deadlineMs) as Promise<ReplyFor<C>>;
  }

  private send(
    message: { kind: "load"; init: EngineInit } | { kind: "call"; call: EngineCall },
    ms: number,
  ): Promise<unknown> {
    const worker = this.worker;
    const port = worker && this.ports.get(worker);
    if (!worker || !port) return Promise.reject(new EngineDied("the plugin is not loaded"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        ms > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new DeadlineExceeded(ms));
              void this.kill(worker);
            }, ms)
          : undefined;
      this.pending.set(id, { resolve, reject, timer });
      // the channel keeps the process alive only while a call waits for its reply
      if (this.pending.size === 1) port.ref();
      port.postMessage({ id, ...message });
    });
  }

  private settle(msg: WorkerReply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (p.timer) clearTimeout(p.timer);
    if (this.pending.size === 0 && this.worker) this.ports.get(this.worker)?.unref();
    if (msg.ok) p.resolve(msg.value);
    else if (msg.loadLogs) p.reject(new LoadFailure(msg.error, msg.loadLogs));
    else p.reject(new EngineDied(msg.error));
  }

  private died(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.drop(worker);
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }

  private async kill(worker: Worker): Promise<void> {
    if (this.worker === worker) this.worker = undefined;
    this.drop(worker);
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new EngineDied("the plugin worker was terminated after a deadline"));
      this.pending.delete(id);
    }
    await worker.terminate();
  }

  async close(): Promise<void> {
    const w = this.worker;
    if (w) await this.kill(w);
  }
}
