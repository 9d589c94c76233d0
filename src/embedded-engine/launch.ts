// Everything a container of the embedded-engine image needs to serve one project: files to copy in, command, ports.
import { readFile } from "node:fs/promises";
import type { Project } from "../project/project.js";
import {
  CONTAINER_PROJECT_FILE,
  containerPluginPath,
  containerPorts,
  containerProjectYaml,
} from "./container-project.js";

/** Where the bundle lives in the image. */
export const EMBEDDED_BUNDLE_DIR = "/opt/orwasm";

/** The image's command: the bundled entry serving the project copied to /app (Node's warnings are noise here). */
export const EMBEDDED_CMD = [
  "node",
  "--no-warnings",
  `${EMBEDDED_BUNDLE_DIR}/serve.mjs`,
  CONTAINER_PROJECT_FILE,
];

/** A file placed into the container before it starts (same shape as the smoke runner's ContainerFile). */
export interface EmbeddedFile {
  path: string;
  content: string | Uint8Array;
}

/** What a container of the embedded image needs to serve a project. */
export interface EmbeddedLaunch {
  files: EmbeddedFile[];
  cmd: string[];
  /** Each server's listen port, in server order. */
  ports: number[];
}

/** The files, command and ports for `project` (already loaded: its plugins built and located). */
export async function embeddedLaunch(project: Project): Promise<EmbeddedLaunch> {
  const ports = containerPorts(project);
  const files: EmbeddedFile[] = [
    { path: CONTAINER_PROJECT_FILE, content: containerProjectYaml(project) },
  ];
  for (const p of project.plugins)
    files.push({ path: containerPluginPath(p.data.name), content: await readFile(p.wasmPath) });
  return { files, cmd: [...EMBEDDED_CMD], ports };
}
