// How a plugin worker's replies cross to the driver: JSON text for plain data, structured clones otherwise.
import { describe, expect, it } from "vitest";
import { fromWire, jsonSafe, toWire } from "../../src/proxy-host/runtime/wire.js";

describe("worker replies on the wire", () => {
  const reply = {
    id: 7,
    ok: true,
    value: {
      rc: 0,
      req: {
        args: undefined,
        variables: { a: null, b: "x" },
        headersIn: [{ key: "h", value: "v" }],
      },
      logs: [{ level: "info", message: "é ✓ \u0000 \n", source: "plugin", plugin: "p" }],
      localBody: undefined,
    },
  };

  it("sends a reply of plain data as JSON text that reads back with the same fields", () => {
    const posted = toWire(reply);
    expect(typeof posted).toBe("string");
    const back = fromWire<typeof reply>(posted);
    expect(back).toEqual(reply); // toEqual treats a missing property like an undefined one
    expect(back.value.req.variables.a).toBeNull();
    expect(back.value.logs[0]!.message).toBe("é ✓ \u0000 \n");
  });

  it("sends a reply with bytes, -0, NaN, a Map or a hole as the value itself", () => {
    for (const odd of [
      new Uint8Array([1, 2]),
      -0,
      Number.NaN,
      Infinity,
      new Map([["a", 1]]),
      [1, undefined],
      10n,
    ]) {
      const message = { id: 1, ok: true, value: { rc: 0, localBody: odd } };
      expect(jsonSafe(message)).toBe(false);
      expect(toWire(message)).toBe(message);
      expect(fromWire(toWire(message))).toBe(message);
    }
  });
});
