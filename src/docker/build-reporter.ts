// Prints a build's progress so a person can follow it: each step as it starts, then cached or its elapsed time.
import type { BuildEvent } from "./build-events.js";

/** Where the reporter writes and how it tells time; injected so tests see exact output. */
export interface BuildReporterOptions {
  /** Receives whole lines without a trailing newline. */
  write: (line: string) => void;
  /** Milliseconds; defaults to `Date.now`. */
  now?: () => number;
  /** Also print every output line of RUN steps, indented. */
  verbose?: boolean;
  /** Printed before each line, e.g. the image tag. */
  prefix?: string;
}

/** Timing of one finished step, for a summary or a benchmark. */
export interface StepTiming {
  step: number;
  instruction: string;
  cached: boolean;
  ms: number;
}

/** Consumes build events and writes progress lines; `steps` holds each finished step's timing. */
export interface BuildReporter {
  onEvent(e: BuildEvent): void;
  readonly steps: StepTiming[];
}

const MAX_INSTRUCTION = 100;

/** A reporter writing `[N/M] INSTRUCTION` when a step starts and `[N/M] cached` or `[N/M] done in 1.2s` when it ends. */
export function createBuildReporter(opts: BuildReporterOptions): BuildReporter {
  const now = opts.now ?? Date.now;
  const pre = opts.prefix ? `${opts.prefix} ` : "";
  const steps: StepTiming[] = [];
  let open:
    | { step: number; total: number; instruction: string; start: number; cached: boolean }
    | undefined;
  const tag = (s: { step: number; total: number }) => `${pre}[${s.step}/${s.total}]`;

  return {
    steps,
    onEvent(e) {
      switch (e.kind) {
        case "step":
          open = {
            step: e.step,
            total: e.total,
            instruction: e.instruction,
            start: now(),
            cached: false,
          };
          opts.write(`${tag(e)} ${shorten(e.instruction)}`);
          break;
        case "cached":
          if (open) open.cached = true;
          break;
        case "step-done":
          if (!open) break;
          {
            const ms = now() - open.start;
            steps.push({ step: open.step, instruction: open.instruction, cached: open.cached, ms });
            // FROM resolves instantly and is never "cached": say nothing about its time.
            if (open.cached) opts.write(`${tag(open)} cached`);
            else if (!/^FROM\s/i.test(open.instruction))
              opts.write(`${tag(open)} done in ${seconds(ms)}`);
            open = undefined;
          }
          break;
        case "output":
          if (opts.verbose) opts.write(`${pre}  | ${e.text}`);
          break;
        case "error":
          opts.write(
            open
              ? `${tag(open)} FAILED after ${seconds(now() - open.start)}: ${e.message}`
              : `${pre}FAILED: ${e.message}`,
          );
          open = undefined;
          break;
        default:
          break;
      }
    },
  };
}

function shorten(s: string): string {
  return s.length > MAX_INSTRUCTION ? `${s.slice(0, MAX_INSTRUCTION - 3)}...` : s;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
