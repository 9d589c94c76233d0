// Every command the CLI knows, in the order `--help` lists them.
import type { Register } from "../command.js";
import { registerConf } from "./conf.js";
import { registerInspect } from "./inspect.js";
import { registerPlugin } from "./plugin.js";
import { registerPluginInit } from "./plugin-init.js";
import { registerBuildScript } from "./build-script.js";
import { registerLock } from "./lock.js";
import { registerImage } from "./image.js";
import { registerSmoke } from "./smoke.js";
import { registerTest } from "./test.js";
import { registerDev } from "./dev.js";

export const commands: Register[] = [
  registerConf,
  registerInspect,
  registerPlugin,
  registerPluginInit,
  registerBuildScript,
  registerLock,
  registerImage,
  registerSmoke,
  registerTest,
  registerDev,
];
