// Renders the gateway image's Dockerfile: engine stages fed only by engine inputs, then the thin app layer. Pure.
import { compileTemplate } from "../render/handlebars-env.js";
import type { EngineTarget } from "../render/target.js";
import type { EngineData } from "../project/schema-engine.js";
import { pcreDevPackage } from "./build-script.js";

/** The build context's layout: the Dockerfile and the two folders its stages COPY from. */
export const CONTEXT = {
  dockerfile: "Dockerfile",
  /** build.sh and sources/: only the engine stages read it. */
  engineDir: "engine",
  /** nginx.conf and wasm/: only the last stage reads it. */
  appDir: "app",
} as const;

/** Build OpenResty from the verified sources (orwasm's own engine). */
export interface BuiltEngine {
  kind: "build";
  engine: EngineData;
  /** sha256 of the effective pins (the lockfile's canonical text): labelled so an image says what built it. */
  lockSha256: string;
}

/** Start from an existing engine image (`--engine-image`), as the probe found it. */
export interface ExistingEngine {
  kind: "image";
  ref: string;
  nginxBin: string;
  confPath: string;
}

/** What the Dockerfile is rendered from. */
export interface DockerfileInput {
  projectName: string;
  /** How the header names the project file. */
  projectLabel: string;
  engine: BuiltEngine | ExistingEngine;
  target: EngineTarget;
  plugins: { name: string; sha256: string }[];
  /** TCP ports the gateway listens on (EXPOSE). */
  ports: number[];
}

/** The label an app image built on an existing engine image carries, naming that image. */
export const ENGINE_IMAGE_LABEL = "org.orwasm.engine.image";

/** The non-root user the built runtime runs as. */
export const RUNTIME_USER = { name: "orwasm", uid: 10001 } as const;

/** Dockerfile text; every value in it comes from schema-checked data and is JSON-quoted where it is a string. */
export function renderDockerfile(input: DockerfileInput): string {
  const { engine, target } = input;
  const q = (s: string) => JSON.stringify(s);
  const labels = (pairs: [string, string][]) =>
    pairs.map(([k, v], i) => ({ kv: `${k}=${q(v)}`, last: i === pairs.length - 1 }));
  const appLabels: [string, string][] = [
    ["org.orwasm.project", input.projectName],
    ...input.plugins.map((p): [string, string] => [`org.orwasm.plugin.${p.name}.sha256`, p.sha256]),
  ];
  if (engine.kind === "image") appLabels.push([ENGINE_IMAGE_LABEL, engine.ref]);

  const common = {
    projectLabel: input.projectLabel.replace(/[\r\n]+/g, " "),
    pluginDir: q(`${target.pluginDir}/`),
    ports: input.ports,
    appLabels: labels(appLabels),
  };
  if (engine.kind === "image") {
    return compileTemplate("engine/Dockerfile.hbs")({
      ...common,
      existing: {
        ref: engine.ref,
        confPath: q(engine.confPath),
        cmd: JSON.stringify([
          engine.nginxBin,
          "-p",
          target.prefix,
          "-c",
          engine.confPath,
          "-g",
          "daemon off;",
        ]),
      },
      built: false,
    });
  }
  const e = engine.engine;
  const wasmedge = e.vm === "wasmedge";
  const engineLabels: [string, string][] = [
    ["org.orwasm.engine.openresty", e.openresty],
    ["org.orwasm.engine.wasm-nginx-module", e.wasmNginxModule],
    ["org.orwasm.engine.vm", e.vm],
    ["org.orwasm.engine.wasmtime", e.wasmtime],
    ...(wasmedge ? [["org.orwasm.engine.wasmedge", e.wasmedge] as [string, string]] : []),
    ["org.orwasm.engine.lua-resty-http", e.luaRestyHttp],
    ["org.orwasm.engine.prefix", e.prefix],
    ["org.orwasm.engine.lockfile-sha256", engine.lockSha256],
  ];
  const nginxPrefix = `${e.prefix}/nginx`;
  return compileTemplate("engine/Dockerfile.hbs")({
    ...common,
    existing: false,
    built: {
      baseImage: e.baseImage,
      vm: e.vm,
      versions: { openresty: e.openresty, wnm: e.wasmNginxModule },
      buildDeps: [
        "gcc",
        "libc6-dev",
        "make",
        "perl",
        pcreDevPackage(e.openresty),
        "zlib1g-dev",
        "libssl-dev",
        "xz-utils",
      ],
      runtimeDeps: [
        pcreDevPackage(e.openresty) === "libpcre3-dev" ? "libpcre3" : "libpcre2-8-0",
        "zlib1g",
        "libssl3",
        ...(wasmedge ? ["libstdc++6"] : []),
      ],
      prefix: e.prefix,
      qPrefix: q(e.prefix),
      user: RUNTIME_USER,
      // What nginx writes as a non-root user; only engine inputs here, so the app config never busts this layer.
      writableDirs: [
        "logs",
        "client_body_temp",
        "proxy_temp",
        "fastcgi_temp",
        "uwsgi_temp",
        "scgi_temp",
      ]
        .map((d) => `${nginxPrefix}/${d}`)
        .join(" "),
      engineLabels: labels(engineLabels),
      confPath: q(`${nginxPrefix}/conf/nginx.conf`),
      path: `${nginxPrefix}/sbin:${e.prefix}/bin`,
      cmd: JSON.stringify([
        "nginx",
        "-p",
        target.prefix,
        "-c",
        "conf/nginx.conf",
        "-g",
        "daemon off;",
      ]),
    },
  });
}
