// Worker-thread side of WorkerTransport: owns one ModuleEngine and answers the driver's calls on the channel it
// was given.
import { workerData, type MessagePort } from "node:worker_threads";
import { LoadFailure, ModuleEngine } from "./engine.js";
import type { EngineCall, EngineInit } from "./protocol.js";
import { toWire } from "./wire.js";

type Message = { id: number } & (
  { kind: "load"; init: EngineInit } | { kind: "call"; call: EngineCall }
);

let engine: ModuleEngine | undefined;
const port = (workerData as { port: MessagePort }).port;

const post = (reply: object): void => port.postMessage(toWire(reply));

port.on("message", (msg: Message) => {
  try {
    if (msg.kind === "load") {
      const loaded = ModuleEngine.load(msg.init);
      engine = loaded.engine;
      post({ id: msg.id, ok: true, value: loaded.report });
      return;
    }
    if (!engine) throw new Error("the plugin is not loaded in this worker");
    post({ id: msg.id, ok: true, value: engine.handle(msg.call) });
  } catch (err) {
    const reply: Record<string, unknown> = { id: msg.id, ok: false, error: (err as Error).message };
    if (err instanceof LoadFailure) reply["loadLogs"] = err.logs;
    post(reply);
  }
});
