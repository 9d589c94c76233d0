// What a plugin's config becomes on the wire to proxy_on_configure.

/**
 * Strings pass through unchanged; objects and lists are serialised as JSON. An absent config becomes `{}`:
 * wasm-nginx-module's on_configure rejects an empty string, and `{}` is what JSON-configured plugins expect.
 */
export function configText(config: unknown): string {
  if (config === undefined || config === null) return "{}";
  if (typeof config === "string") return config;
  return JSON.stringify(config);
}
