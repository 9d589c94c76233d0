// Schema parts used by more than one section of the project file (routes and plugin tests name plugins alike).
import { z } from "zod";

/** Names land in Lua strings, file names and log lines: keep them boring. */
export const nameSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
    "must start with a letter and use only letters, digits, '_' and '-' (at most 64)",
  );

/** A plugin config: text passed to proxy_on_configure byte for byte, or an object serialised as JSON. */
export const pluginConfigSchema = z.union([
  z.string(),
  z.record(z.string(), z.unknown()),
  z.array(z.unknown()),
]);

/** A plugin on a route (or in a test): its name, or its name with a config that replaces the plugin's. */
export const routePluginSchema = z.union([
  nameSchema,
  z.strictObject({
    name: nameSchema,
    config: pluginConfigSchema.optional().describe("replaces the plugin's config on this route"),
  }),
]);
