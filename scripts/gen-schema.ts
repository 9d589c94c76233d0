// Writes schema/orwasm.schema.json from the zod schema (run by `npm run schema`; a test checks it is current).
import { writeFileSync } from "node:fs";
import { projectJsonSchema } from "../src/project/json-schema.js";

const out = new URL("../schema/orwasm.schema.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
