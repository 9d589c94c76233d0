// The editor JSON Schema: generated from the zod schema, current in the repo, and agreeing with the loader.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { projectJsonSchema } from "../../src/project/json-schema.js";

const committed = JSON.parse(
  readFileSync(new URL("../../schema/orwasm.schema.json", import.meta.url), "utf8"),
) as object;
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(committed);

describe("schema/orwasm.schema.json", () => {
  it("is the schema generated from the zod source (run `npm run schema` after changing it)", () => {
    expect(committed).toEqual(projectJsonSchema());
  });

  it("accepts every example project", () => {
    const root = new URL("../../examples/", import.meta.url);
    const examples = readdirSync(root).filter((d) => existsSync(new URL(`${d}/orwasm.yaml`, root)));
    expect(examples.length).toBeGreaterThan(0);
    for (const d of examples) {
      const ok = validate(parse(readFileSync(new URL(`${d}/orwasm.yaml`, root), "utf8")));
      expect({ example: d, errors: validate.errors ?? [] }).toEqual({ example: d, errors: [] });
      expect(ok).toBe(true);
    }
  });

  it("flags what an editor should flag: an unknown key, a wrong enum value, a bad name", () => {
    const base = { servers: [{ routes: [{ path: "/", respond: {} }] }] };
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, plugns: [] })).toBe(false);
    expect(validate({ ...base, engine: { vm: "v8" } })).toBe(false);
    expect(validate({ ...base, plugins: [{ name: 'x"]]', file: "a.wasm" }] })).toBe(false);
  });
});
