// The Higress profile's data that crosses into the plugin worker: plain types, so the protocol can name them.

/** A cluster name the project declares, and the upstream it stands for. */
export interface ClusterTarget {
  upstream: string;
  kind: "http" | "redis";
  /** The upstream's first server, host:port (where the call goes). */
  server: string;
}

/** What the engine needs to play Higress (structured-clone safe: it crosses into the worker). */
export interface HigressInit {
  /** Cluster names (without `?query`) and upstream names, each to its upstream. */
  clusters: Record<string, ClusterTarget>;
  /** What get_log_level answers: 0 trace .. 5 critical (Envoy's wasm log level). */
  logLevel: number;
  /** plugin_name property (Higress: the WasmPlugin's name). */
  pluginName: string;
}

/** proxy_redis_init's parameters for one cluster, as the driver needs them to connect. */
export interface RedisClientParams {
  cluster: string;
  upstream: string;
  server: string;
  username: string;
  password: string;
  timeoutMs: number;
  database: number;
  /** Every `?` parameter sent at init (db, buffer_flush_timeout, max_buffer_size_before_flush...). */
  params: Record<string, string>;
}

/** A call the plugin dispatched and the driver must perform. */
export type HigressCallout =
  | { kind: "redis"; calloutId: number; client: RedisClientParams; query: Uint8Array }
  | {
      kind: "http";
      calloutId: number;
      cluster: string;
      upstream: string;
      server: string;
      pairs: [string, string][];
      body: Uint8Array | undefined;
      timeoutMs: number;
    };

/** A cluster name the plugin used that the project does not declare. */
export interface UnknownCluster {
  cluster: string;
  call: "proxy_redis_init" | "proxy_redis_call" | "proxy_http_call";
}
