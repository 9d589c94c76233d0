// The editor JSON Schema, derived from the zod schema so the two can never disagree.
import { z } from "zod";
import { projectSchema } from "./schema.js";

/** JSON Schema (draft 2020-12) of what a user may write: the input side, so keys with defaults are optional. */
export function projectJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(projectSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: "https://orwasm.dev/schema/orwasm.schema.json",
    title: "orwasm project (orwasm.yaml)",
  };
}
