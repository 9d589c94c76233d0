// The embedded host against every committed recording of a real engine (test/conformance/recordings/*.json,
// made by test/conformance/record.ts): each case runs on the embedded host and must come out as it did on the
// real engine. No Docker and no engine needed: the recordings stand in for them on every CI run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFORMANCE } from "../conformance/cases.js";
import { runGroupEmbedded, type EmbeddedRun } from "../conformance/embedded.js";
import { compareObservations, type Recording } from "../conformance/observe.js";
import { ascBin } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import { evaluateCheck } from "../../src/checks/checks.js";
import { formatDifference } from "../../src/checks/difference.js";

const dir = join(import.meta.dirname, "../conformance/recordings");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const recordings = files.map((f) => ({
  file: f,
  rec: JSON.parse(readFileSync(join(dir, f), "utf8")) as Recording,
}));
/**
 * Differences a recording showed that the embedded host does not model yet, each with what was seen. The test
 * of such a case is expected to fail (it.fails) and reports as soon as the host matches: then remove it here.
 */
/**
 * Where a real engine did what the embedded host does not model, and why. On wasmtime 0.38.1 a wasm trap can kill
 * the worker with SIGABRT before the glue sees the error: under gdb, wasmtime's trap handler captures a backtrace
 * (libgcc's _Unwind_Backtrace) and the unwinder aborts on the way up from the wasm frames through the caller's.
 * Which trap case it hits changes between recordings ("a trap in response body, fail-open" on 2026-12-01, "a trap in
 * response headers, fail-closed" on 2026-12-02, on the rustc 1.95 and the rustc 1.63 builds alike), so the rule is
 * the recorded signal, not a case name.
 */
function knownDifference(file: string, real: { observation: { workerExit?: string } } | undefined) {
  if (file === "wasmtime.json" && /exited on signal 6\b/.test(real?.observation.workerExit ?? ""))
    return (
      "the real wasmtime 0.38.1 worker died on a trap (SIGABRT while wasmtime captured the trap's backtrace), so " +
      "no response came; the embedded host answers by the failure policy"
    );
  return undefined;
}

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);
const noRecording = requireOrSkip(
  "engine-image",
  recordings.length > 0,
  "no recording of a real engine is committed in test/conformance/recordings (make one with test/conformance/record.ts)",
);

describe("the conformance set", () => {
  it("names every case once and cites a source for each", () => {
    const names = CONFORMANCE.flatMap((g) => g.cases.map((c) => c.name));
    expect(new Set(names).size).toBe(names.length);
    for (const g of CONFORMANCE)
      for (const c of g.cases)
        expect({ c: c.name, s: c.source.length > 5 }).toEqual({ c: c.name, s: true });
    // a case that takes the worker down has a gateway of its own
    for (const g of CONFORMANCE) if (g.cases.some((c) => c.worker)) expect(g.cases).toHaveLength(1);
  });
});

describe.skipIf(noAsc)(
  `the conformance set on the embedded host${noAsc ? ` (skipped: ${noAsc})` : ""}`,
  () => {
    const runs = new Map<string, EmbeddedRun[]>();
    beforeAll(async () => {
      for (const g of CONFORMANCE) runs.set(g.name, await runGroupEmbedded(g, "wasmtime"));
    }, 300_000);

    it("meets what reading the module's source predicts, for every case that states it", () => {
      const failed: string[] = [];
      for (const r of [...runs.values()].flat()) {
        if (!r.case.expect || r.observation.outcome !== "response") continue;
        const diffs = evaluateCheck(
          { headers: {}, ...r.case.expect },
          {
            status: r.observation.status!,
            headers: r.observation.headers!,
            body: r.observation.body!,
          },
        );
        if (diffs.length) failed.push(`${r.case.name}: ${diffs.map(formatDifference).join("; ")}`);
      }
      expect(failed).toEqual([]);
    });

    it("takes the worker down exactly where the module's C or Lua would: crashes and hangs, never an answer", () => {
      const fatal = [...runs.values()]
        .flat()
        .map((r) => ({ name: r.case.name, worker: r.outcome?.fatal?.kind }));
      const predicted = CONFORMANCE.flatMap((g) => g.cases).map((c) => ({
        name: c.name,
        worker: c.worker === "crashes" ? "crash" : c.worker === "hangs" ? "hang" : undefined,
      }));
      expect(fatal).toEqual(predicted);
    });
  },
);

describe.skipIf(noAsc || noRecording)(
  `the embedded host against each recording of a real engine${noRecording ? ` (skipped: ${noRecording})` : ""}`,
  () => {
    for (const { file, rec } of recordings) {
      describe(`${file}: ${rec.engine.image} (${rec.engine.imageId.slice(0, 19)}, ${rec.engine.vm}${rec.engine.vmVersion ? ` ${rec.engine.vmVersion}` : ""})`, () => {
        const runs = new Map<string, EmbeddedRun[]>();
        beforeAll(async () => {
          for (const g of CONFORMANCE) runs.set(g.name, await runGroupEmbedded(g, rec.engine.vm));
        }, 300_000);

        it("recorded every case of the set (re-record after adding one)", () => {
          const recorded = new Set(rec.groups.flatMap((g) => g.cases.map((c) => c.name)));
          expect(
            CONFORMANCE.flatMap((g) => g.cases.map((c) => c.name)).filter((n) => !recorded.has(n)),
          ).toEqual([]);
        });

        for (const g of CONFORMANCE)
          for (const c of g.cases) {
            const real = rec.groups
              .find((x) => x.name === g.name)
              ?.cases.find((x) => x.name === c.name);
            const known = knownDifference(file, real);
            (known ? it.fails : it.skipIf(!real))(
              `${g.name} / ${c.name} [${c.source}]${known ? ` (known difference, expected to fail: ${known})` : ""}`,
              () => {
                const mine = runs.get(g.name)!.find((r) => r.case.name === c.name)!;
                expect(
                  compareObservations(c, real!.observation, mine.observation).map(formatDifference),
                ).toEqual([]);
              },
            );
          }
      });
    }
  },
);
