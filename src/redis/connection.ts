// One Redis connection over TCP: AUTH and SELECT when it opens, then pipelined commands, each answered with the
// raw reply bytes or a failure (refused, reset, timed out). Timeouts close the connection, as a client must once
// replies can no longer be matched to commands.
import { connect, type Socket } from "node:net";
import { encodeCommand, replyEnd } from "./resp.js";

/** Where and how to connect. */
export interface RedisTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  database?: number;
}

/** A reply, or why there is none. */
export type RedisAnswer = { ok: true; reply: Uint8Array } | { ok: false; error: string };

interface Waiter {
  done: (a: RedisAnswer) => void;
  timer: NodeJS.Timeout | undefined;
  /** Replies to AUTH/SELECT: checked here, not handed to a caller. */
  setup?: string;
}

/** A pipelined connection; `closed` is set once it can no longer be used. */
export class RedisConnection {
  closed = false;
  private readonly socket: Socket;
  private readonly waiters: Waiter[] = [];
  private buf = new Uint8Array(0);
  private failure: string | undefined;

  constructor(readonly target: RedisTarget) {
    this.socket = connect({ host: target.host, port: target.port });
    this.socket.setNoDelay(true);
    this.socket.on("data", (d: Buffer) => this.onData(d));
    this.socket.on("error", (err) =>
      this.fail(`redis ${target.host}:${target.port}: ${err.message}`),
    );
    this.socket.on("close", () =>
      this.fail(`redis ${target.host}:${target.port}: connection closed`),
    );
    if (target.password) {
      const auth = target.username
        ? ["AUTH", target.username, target.password]
        : ["AUTH", target.password];
      this.write(encodeCommand(auth), "AUTH");
    }
    if (target.database) this.write(encodeCommand(["SELECT", String(target.database)]), "SELECT");
  }

  /** Sends raw RESP bytes; resolves with the raw reply. */
  send(query: Uint8Array, timeoutMs: number): Promise<RedisAnswer> {
    if (this.closed)
      return Promise.resolve({ ok: false, error: this.failure ?? "connection closed" });
    return new Promise((done) => {
      const waiter: Waiter = { done, timer: undefined };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.fail(
            `redis ${this.target.host}:${this.target.port}: no reply within ${timeoutMs} ms`,
          );
        }, timeoutMs);
      }
      this.waiters.push(waiter);
      this.socket.write(query);
    });
  }

  close(): void {
    this.fail("connection closed by orwasm");
    this.socket.destroy();
  }

  private write(query: Uint8Array, setup: string): void {
    this.waiters.push({ done: () => undefined, timer: undefined, setup });
    this.socket.write(query);
  }

  private onData(d: Buffer): void {
    const merged = new Uint8Array(this.buf.length + d.length);
    merged.set(this.buf);
    merged.set(d, this.buf.length);
    this.buf = merged;
    for (;;) {
      let end: number;
      try {
        end = replyEnd(this.buf);
      } catch (err) {
        this.fail(`redis ${this.target.host}:${this.target.port}: ${(err as Error).message}`);
        return;
      }
      if (end === -1) return;
      const reply = this.buf.slice(0, end);
      this.buf = this.buf.subarray(end);
      const w = this.waiters.shift();
      if (!w) continue;
      if (w.timer) clearTimeout(w.timer);
      if (w.setup) {
        if (reply[0] === 0x2d) {
          const msg = new TextDecoder().decode(reply).trim();
          this.fail(`redis ${this.target.host}:${this.target.port}: ${w.setup} failed: ${msg}`);
          return;
        }
        continue;
      }
      w.done({ ok: true, reply });
    }
  }

  private fail(error: string): void {
    if (!this.closed) {
      this.closed = true;
      this.failure = error;
      this.socket.destroy();
    }
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.done({ ok: false, error: this.failure ?? error });
    }
  }
}

/** Connections by target, reopened after a failure: one per (server, user, password, db), like Higress' client. */
export class RedisPool {
  private readonly conns = new Map<string, RedisConnection>();
  /** Round trips sent, for the benchmarks. */
  calls = 0;

  /** Sends one raw RESP query to `target`. */
  send(target: RedisTarget, query: Uint8Array, timeoutMs: number): Promise<RedisAnswer> {
    const key = JSON.stringify([
      target.host,
      target.port,
      target.username,
      target.password,
      target.database,
    ]);
    let c = this.conns.get(key);
    if (!c || c.closed) {
      c = new RedisConnection(target);
      this.conns.set(key, c);
    }
    this.calls++;
    return c.send(query, timeoutMs);
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

/** Splits host:port (or [v6]:port). */
export function hostPort(server: string): { host: string; port: number } {
  if (server.startsWith("[")) {
    const close = server.indexOf("]");
    return { host: server.slice(1, close), port: Number(server.slice(close + 2)) };
  }
  const i = server.lastIndexOf(":");
  return { host: server.slice(0, i), port: Number(server.slice(i + 1)) };
}
