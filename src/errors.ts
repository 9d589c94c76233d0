// The small set of error classes every layer throws; the CLI maps them to exit codes in one place.

/** A problem located in a user's file: what the CLI prints as `file:line:col key: message`. */
export interface Problem {
  file: string;
  line?: number;
  col?: number;
  /** Dotted key path, e.g. `servers.0.routes.1.plugins.0`. */
  path?: string;
  message: string;
  severity?: "error" | "warning";
}

export type ErrorCode = "usage" | "config" | "build" | "smoke" | "docker" | "internal";

/** Base class: `code` is stable and machine-readable; `userFacing` errors print without a stack. */
export class OrwasmError extends Error {
  readonly code: ErrorCode;
  readonly userFacing: boolean = true;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad command-line usage (unknown flag, missing argument). */
export class UsageError extends OrwasmError {
  constructor(message: string) {
    super("usage", message);
  }
}

/** A project file, plugin or input the user wrote is wrong; carries every problem found. */
export class ConfigError extends OrwasmError {
  readonly problems: Problem[];
  constructor(problems: Problem[], summary?: string) {
    super("config", summary ?? formatProblems(problems));
    this.problems = problems;
  }
}

/** A build (plugin, engine, image) failed; `logTail` holds the last lines of its log. */
export class BuildError extends OrwasmError {
  readonly logTail: string[];
  constructor(message: string, logTail: string[] = [], options?: { cause?: unknown }) {
    super(
      "build",
      logTail.length ? `${message}\n--- last lines of the log ---\n${logTail.join("\n")}` : message,
      options,
    );
    this.logTail = logTail;
  }
}

/** A smoke check failed or the gateway under test could not be started. */
export class SmokeError extends OrwasmError {
  readonly logTail: string[];
  constructor(message: string, logTail: string[] = []) {
    super(
      "smoke",
      logTail.length ? `${message}\n--- gateway log ---\n${logTail.join("\n")}` : message,
    );
    this.logTail = logTail;
  }
}

/** Docker did not answer, or refused a call (create, inspect, remove): the daemon's own words, never a stack. */
export class DockerError extends OrwasmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("docker", message, options);
  }
}

/** A bug in orwasm itself: printed with its stack. */
export class InternalError extends OrwasmError {
  override readonly userFacing = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super("internal", message, options);
  }
}

/** One line per problem, `file:line:col key: message`, in the order found. */
export function formatProblems(problems: Problem[]): string {
  return problems.map(formatProblem).join("\n");
}

export function formatProblem(p: Problem): string {
  const where = [showControl(p.file), p.line, p.line !== undefined ? p.col : undefined]
    .filter((x) => x !== undefined)
    .join(":");
  const key = p.path ? ` ${showControl(p.path)}:` : "";
  const sev = p.severity === "warning" ? " warning:" : "";
  return `${where}:${sev}${key} ${showControl(p.message)}`;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Control characters shown as escapes (`\n`, `\u0000`): a problem is one line, and a key is shown as written. */
export function showControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
