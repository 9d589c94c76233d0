// Turns the classic (BuildKit-less) builder's JSON message stream into typed events a reporter and an error can use.
// Pure: no I/O; state is passed in and returned.

/** One thing that happened during `docker build`, in the order the daemon reported it. */
export type BuildEvent =
  /** `Step N/M : INSTRUCTION` — a Dockerfile instruction starts. */
  | { kind: "step"; step: number; total: number; instruction: string }
  /** ` ---> Using cache` — the current step's layer came from the build cache. */
  | { kind: "cached"; step: number }
  /** ` ---> Running in <container>` — the current step runs in a fresh container. */
  | { kind: "running"; step: number; container: string }
  /** ` ---> <layer id>` — the current step finished and produced this layer. */
  | { kind: "step-done"; step: number; layer: string }
  /** Any other text line: mostly a RUN command's stdout/stderr; `step` is 0 before the first step. */
  | { kind: "output"; step: number; text: string }
  /** `{status, id, progress}` messages (pulling a FROM image, downloading a context). */
  | { kind: "status"; status: string; id?: string; progress?: string }
  /** `{aux: {ID}}` — the finished image's id. */
  | { kind: "built"; imageId: string }
  /** `Successfully tagged REF`. */
  | { kind: "tagged"; ref: string }
  /** `{error, errorDetail}` — the build stopped; `step` is the step that was running (0 if none). */
  | { kind: "error"; step: number; message: string; code?: number };

/** What the parser remembers between messages: a line not yet ended, and the step being run. */
export interface BuildParseState {
  pending: string;
  step: number;
}

/** The state before the first message. */
export const initialBuildParseState: BuildParseState = { pending: "", step: 0 };

/** One decoded JSON message from the build stream; any field may be absent. */
export interface BuildMessage {
  stream?: unknown;
  status?: unknown;
  id?: unknown;
  progress?: unknown;
  aux?: unknown;
  error?: unknown;
  errorDetail?: unknown;
  message?: unknown;
}

// Colour codes the daemon wraps around a RUN command's stderr (ESC[91m ... ESC[0m).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const ARROW = /^ ---> (.*)$/;

/** Folds one message into the state; returns the new state and the events it completes. */
export function parseBuildMessage(
  state: BuildParseState,
  msg: BuildMessage,
): { state: BuildParseState; events: BuildEvent[] } {
  const events: BuildEvent[] = [];
  let { pending, step } = state;

  if (typeof msg.stream === "string") {
    const text = pending + msg.stream.replace(ANSI, "");
    const lines = text.split("\n");
    pending = lines.pop() ?? "";
    for (const raw of lines) {
      const line = raw.replace(/\r$/, "");
      const e = classifyLine(line, step);
      if (!e) continue;
      if (e.kind === "step") step = e.step;
      events.push(e);
    }
  }
  if (typeof msg.status === "string") {
    events.push({
      kind: "status",
      status: msg.status,
      ...(typeof msg.id === "string" ? { id: msg.id } : {}),
      ...(typeof msg.progress === "string" && msg.progress ? { progress: msg.progress } : {}),
    });
  }
  const auxId = (msg.aux as { ID?: unknown } | undefined)?.ID;
  if (typeof auxId === "string") events.push({ kind: "built", imageId: auxId });
  const error = errorOf(msg);
  if (error) {
    // A line left without its newline still belongs before the error.
    if (pending) events.push({ kind: "output", step, text: pending });
    pending = "";
    events.push({ kind: "error", step, ...error });
  }
  return { state: { pending, step }, events };
}

/** Events still held when the stream ends (a last line without a newline). */
export function flushBuildState(state: BuildParseState): BuildEvent[] {
  return state.pending ? [{ kind: "output", step: state.step, text: state.pending }] : [];
}

/** Parses a whole recorded message sequence; what a test or a replay needs. */
export function parseBuildMessages(msgs: BuildMessage[]): BuildEvent[] {
  let state = initialBuildParseState;
  const out: BuildEvent[] = [];
  for (const m of msgs) {
    const r = parseBuildMessage(state, m);
    state = r.state;
    out.push(...r.events);
  }
  return [...out, ...flushBuildState(state)];
}

/** Splits newline-delimited JSON as it arrives in chunks; returns whole messages and the unfinished rest. */
export function splitJsonLines(
  rest: string,
  chunk: string,
): { rest: string; messages: BuildMessage[] } {
  const lines = (rest + chunk).split("\n");
  const tail = lines.pop() ?? "";
  const messages: BuildMessage[] = [];
  for (const l of lines) {
    const t = l.trim();
    if (!t) continue;
    try {
      messages.push(JSON.parse(t) as BuildMessage);
    } catch {
      // Not JSON (a proxy's error page, say): keep it visible as output.
      messages.push({ stream: `${t}\n` });
    }
  }
  return { rest: tail, messages };
}

function classifyLine(line: string, step: number): BuildEvent | undefined {
  const s = STEP.exec(line);
  if (s) return { kind: "step", step: Number(s[1]), total: Number(s[2]), instruction: s[3]! };
  const a = ARROW.exec(line);
  if (a) {
    const what = a[1]!.trim();
    if (what === "Using cache") return { kind: "cached", step };
    const run = /^Running in (\S+)$/.exec(what);
    if (run) return { kind: "running", step, container: run[1]! };
    if (/^[0-9a-f]{6,64}$/.test(what)) return { kind: "step-done", step, layer: what };
    // `---> [Warning] ...` and the like: keep as text.
  }
  if (line === "") return undefined;
  if (/^Removing intermediate container \S+$/.test(line)) return undefined;
  if (/^Successfully built \S+$/.test(line)) return undefined;
  const tagged = /^Successfully tagged (\S+)$/.exec(line);
  if (tagged) return { kind: "tagged", ref: tagged[1]! };
  return { kind: "output", step, text: line };
}

function errorOf(msg: BuildMessage): { message: string; code?: number } | undefined {
  const detail = msg.errorDetail as { message?: unknown; code?: unknown } | undefined;
  const message =
    typeof msg.error === "string"
      ? msg.error
      : typeof detail?.message === "string"
        ? detail.message
        : undefined;
  if (message === undefined) return undefined;
  return typeof detail?.code === "number" ? { message, code: detail.code } : { message };
}
