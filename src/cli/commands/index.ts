// Every command the CLI knows, in the order `--help` lists them.
import type { Register } from "../command.js";
import { registerConf } from "./conf.js";
import { registerInspect } from "./inspect.js";
import { registerPlugin } from "./plugin.js";
import { registerPluginOci } from "./plugin-oci.js";
import { registerPluginInit } from "./plugin-init.js";
import { registerBuildScript } from "./build-script.js";
import { registerLock } from "./lock.js";
import { registerImage } from "./image.js";
import { registerSmoke } from "./smoke.js";
import { registerTest } from "./test.js";
import { registerDev } from "./dev.js";
import { registerWasmPlugin } from "./wasmplugin.js";
import { registerK8s } from "./k8s.js";
import { registerReload } from "./reload.js";

export const commands: Register[] = [
  registerConf,
  registerInspect,
  registerPlugin,
  registerPluginOci,
  registerPluginInit,
  registerBuildScript,
  registerLock,
  registerImage,
  registerSmoke,
  registerTest,
  registerDev,
  registerWasmPlugin,
  registerK8s,
  registerReload,
];
