// Keeps a readable transcript of a build from its events, and turns a failed build into a BuildError a person can act on.
import { BuildError } from "../errors.js";
import type { BuildEvent } from "./build-events.js";

/** How many log lines a failed build's error carries. */
export const FAILURE_TAIL_LINES = 30;

/** The build transcript (as `docker build` prints it) plus the step that was running; fed event by event. */
export class BuildLog {
  readonly lines: string[] = [];
  /** The last step started, or undefined before the first one. */
  current: Extract<BuildEvent, { kind: "step" }> | undefined;
  /** The first error event seen, if any. */
  error: Extract<BuildEvent, { kind: "error" }> | undefined;

  add(e: BuildEvent): void {
    const line = renderEventLine(e);
    if (line !== undefined) this.lines.push(line);
    if (e.kind === "step") this.current = e;
    if (e.kind === "error" && !this.error) this.error = e;
  }

  tail(n = FAILURE_TAIL_LINES): string[] {
    return this.lines.slice(-n);
  }
}

/** One transcript line per event, in `docker build`'s own words; undefined for events it does not print. */
export function renderEventLine(e: BuildEvent): string | undefined {
  switch (e.kind) {
    case "step":
      return `Step ${e.step}/${e.total} : ${e.instruction}`;
    case "cached":
      return " ---> Using cache";
    case "running":
      return ` ---> Running in ${e.container}`;
    case "step-done":
      return ` ---> ${e.layer}`;
    case "output":
      return e.text;
    case "status":
      return [e.id, e.status, e.progress].filter(Boolean).join(" ");
    case "built":
      return `Successfully built ${e.imageId}`;
    case "tagged":
      return `Successfully tagged ${e.ref}`;
    case "error":
      return `ERROR: ${e.message}`;
  }
}

/** The error for a failed build of `tag`: names the failing step and its instruction, carries the log tail. */
export function buildFailure(tag: string, log: BuildLog, message?: string): BuildError {
  const why = message ?? log.error?.message ?? "the build stopped without reporting why";
  const at = log.current
    ? ` at step ${log.current.step}/${log.current.total} (${log.current.instruction})`
    : "";
  return new BuildError(`docker build of ${tag} failed${at}: ${why}`, log.tail());
}
