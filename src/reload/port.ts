// The narrow interface `orwasm reload` needs from a running gateway container; one adapter implements it over Docker.

/** A file (or, with `dir`, a folder) to place into the running container. */
export interface PutFile {
  path: string;
  content?: string | Uint8Array;
  /** Default 0o644 (files) or 0o777 (folders, so the gateway's non-root user can write there). */
  mode?: number;
  dir?: boolean;
}

/** A running gateway container. Every method rejects with an OrwasmError subclass. */
export interface ReloadTarget {
  readonly name: string;
  /** The labels of the container's image (tells the embedded engine from nginx). */
  imageLabels(): Promise<Record<string, string>>;
  put(files: PutFile[]): Promise<void>;
  /** A file's bytes, or undefined when it does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** Runs a command as the container's user; stdout and stderr together. */
  exec(cmd: string[]): Promise<{ code: number; output: string }>;
  /** Sends a signal to the container's main process. */
  signal(signal: "SIGHUP"): Promise<void>;
  /** Log lines (stdout and stderr) written since `sinceSeconds` (unix time). */
  logsSince(sinceSeconds: number): Promise<string[]>;
}
