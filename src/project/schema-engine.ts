// The `engine` section: which OpenResty, module and VM the gateway image is built from (or an existing image).
import { z } from "zod";

export const engineSchema = z.strictObject({
  vm: z
    .enum(["wasmtime", "wasmedge"])
    .default("wasmtime")
    .describe("the wasm VM wasm-nginx-module runs plugins in"),
  image: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, "must be a docker image reference")
    .optional()
    .describe("an existing engine image to build on instead of building OpenResty"),
  prefix: z
    .string()
    .regex(/^\/[A-Za-z0-9_./-]*$/, "must be an absolute path of plain characters")
    .default("/usr/local/openresty")
    .describe("OpenResty's install prefix"),
  openresty: z
    .string()
    .regex(/^[0-9][0-9.]*$/)
    .default("1.21.4.2")
    .describe("OpenResty version"),
  wasmNginxModule: z
    .string()
    .regex(/^[0-9][0-9.]*$/)
    .default("0.7.0")
    .describe("api7/wasm-nginx-module version"),
});

export type EngineData = z.output<typeof engineSchema>;
