// The `smoke` section: requests sent through the gateway and what must come back.
import { z } from "zod";

/** A header expectation: a plain string means "equals". */
export const headerExpectSchema = z.union([
  z.string(),
  z.strictObject({ present: z.literal(true) }),
  z.strictObject({ absent: z.literal(true) }),
  z.strictObject({ equals: z.string() }),
  z.strictObject({ matches: z.string() }),
]);

/** A body expectation: a plain string means "equals". */
export const bodyExpectSchema = z.union([
  z.string(),
  z.strictObject({ equals: z.string() }),
  z.strictObject({ contains: z.string() }),
  z.strictObject({ matches: z.string() }),
  z.strictObject({
    json: z
      .unknown()
      .describe("the body parses as JSON and contains this (objects match partially)"),
  }),
]);

/** A request a check sends: also the shape of a plugin test's request (without `server`). */
export const requestSchema = z.strictObject({
  method: z
    .string()
    .regex(/^[A-Z]+$/)
    .default("GET"),
  path: z.string().startsWith("/").default("/"),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  server: z.int().min(0).default(0).describe("index of the server (under `servers`) to send to"),
});

export const smokeCheckSchema = z.strictObject({
  name: z.string().min(1),
  request: requestSchema.default({ method: "GET", path: "/", headers: {}, server: 0 }),
  expect: z.strictObject({
    status: z.int().min(100).max(599).optional(),
    headers: z.record(z.string(), headerExpectSchema).default({}),
    body: bodyExpectSchema.optional(),
  }),
});

export type SmokeCheckData = z.output<typeof smokeCheckSchema>;
