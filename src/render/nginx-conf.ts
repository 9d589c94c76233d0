// Renders nginx.conf: a pure function of the project and the engine it targets.
import type { Project } from "../project/project.js";
import { compileTemplate } from "./handlebars-env.js";
import type { EngineTarget } from "./target.js";
import { buildViewModel, type RenderOverrides } from "./view-model.js";

export function renderNginxConf(
  project: Project,
  target: EngineTarget,
  overrides?: RenderOverrides,
): string {
  const text = compileTemplate("nginx.conf.hbs")(buildViewModel(project, target, overrides));
  // Indented partials leave white space on blank lines; a reviewed file should not carry it.
  return text.replace(/[ \t]+$/gm, "");
}
