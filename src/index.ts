// The library entry (`import ... from "orwasm"`): load a project, render its nginx.conf, audit plugins, and run
// plugins in the embedded proxy-wasm host. The CLI is built on exactly these.

// A project file: found, parsed, checked, its plugins built and audited.
export {
  loadProject,
  resolveProjectFile,
  PROJECT_FILE,
  type LoadOptions as ProjectLoadOptions,
  type LoadedProject,
} from "./app/load-project.js";
// The validated project model and its input shape (what orwasm.yaml may hold).
export type { Project, ResolvedPlugin } from "./project/project.js";
export type {
  ProjectData,
  ProjectInput,
  PluginData,
  RouteData,
  ServerData,
} from "./project/schema.js";
// The editor JSON Schema of orwasm.yaml, generated from the one zod schema.
export { projectJsonSchema } from "./project/json-schema.js";
// nginx.conf for a project, for orwasm's own engine layout or a probed engine image's.
export { renderNginxConf } from "./render/nginx-conf.js";
export { defaultTarget, type EngineTarget } from "./render/target.js";
// The plugin audit against wasm-nginx-module 0.7.0's host tables.
export { auditPlugin, type Finding, type Severity } from "./inspect/audit.js";
export { auditModule, type ModuleAudit } from "./inspect/audit-module.js";
export { readWasmInfo, NotWasmError } from "./inspect/read-wasm.js";
export type { WasmInfo, WasmImport } from "./inspect/wasm-info.js";
// The embedded proxy-wasm host (behaves like wasm-nginx-module 0.7.0).
export * from "./proxy-host/index.js";
// Errors every function above may throw, and how the CLI prints them.
export {
  OrwasmError,
  UsageError,
  ConfigError,
  BuildError,
  SmokeError,
  DockerError,
  InternalError,
  formatProblems,
  type Problem,
} from "./errors.js";
