// No silent skips in CI: what the project's setup provides must be there under CI=true; only a real engine image
// may be missing, and then the skip says why.
import { afterEach, describe, expect, it, vi } from "vitest";
import { requireOrSkip } from "../helpers/skip.js";

describe("requireOrSkip", () => {
  const saved = process.env.CI;
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
    vi.restoreAllMocks();
  });

  it("under CI=true, a missing tool the setup installs is an error naming it and the reason", () => {
    process.env.CI = "true";
    for (const what of [
      "asc",
      "go",
      "docker",
      "redis",
      "luajit",
      "shellcheck",
      "nginx",
      "registry",
    ] as const)
      expect(() => requireOrSkip(what, false, `${what} is not installed`)).toThrow(
        new RegExp(`^${what} is missing under CI=true: ${what} is not installed\\.`),
      );
  });

  it("under CI=true, a missing real engine image still skips, and says why on stderr", () => {
    process.env.CI = "true";
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(requireOrSkip("engine-image", false, "ORWASM_ENGINE_IMAGE is not set")).toBe(
      "ORWASM_ENGINE_IMAGE is not set",
    );
    expect(err).toHaveBeenCalledWith("[skip] ORWASM_ENGINE_IMAGE is not set\n");
  });

  it("outside CI a missing tool skips visibly; anything present runs", () => {
    delete process.env.CI;
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(requireOrSkip("luajit", false, "luajit is not installed")).toBe(
      "luajit is not installed",
    );
    process.env.CI = "true";
    expect(requireOrSkip("asc", true, "unused")).toBeUndefined();
  });
});
