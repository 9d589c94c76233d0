// The one Handlebars environment: no HTML escaping (we emit nginx and Lua, escaped by our own helpers), strict lookups.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

/** Templates ship beside src/ and dist/ in the package. */
export const TEMPLATE_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/** The shared environment; partials under templates/partials are registered by file name. */
export const hbs = Handlebars.create();

let partialsLoaded = false;
function loadPartials(): void {
  if (partialsLoaded) return;
  const dir = join(TEMPLATE_DIR, "partials");
  for (const f of readdirSync(dir)) {
    hbs.registerPartial(f.replace(/\.hbs$/, ""), readFileSync(join(dir, f), "utf8"));
  }
  partialsLoaded = true;
}

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Compiles templates/NAME once per process; the result is a pure function of its view model. */
export function compileTemplate(name: string): Handlebars.TemplateDelegate {
  loadPartials();
  let t = cache.get(name);
  if (!t) {
    t = hbs.compile(readFileSync(join(TEMPLATE_DIR, name), "utf8"), {
      noEscape: true,
      strict: true,
    });
    cache.set(name, t);
  }
  return t;
}
