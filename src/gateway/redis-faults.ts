// Faults a test can put in front of a Redis upstream, made with real sockets on loopback: a port nothing listens
// on (connection refused) and a relay that holds every reply back by a delay (a slow Redis).
import { createServer, connect, type Server, type Socket } from "node:net";

/** A local TCP relay to a Redis server. */
export interface Relay {
  port: number;
  close(): Promise<void>;
}

/** A loopback port that was free a moment ago and has nothing listening on it. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

/** Relays to `target`, delaying each chunk Redis sends back by `delayMs`. */
export async function delayRelay(
  target: { host: string; port: number },
  delayMs: number,
): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    sockets.add(client).add(upstream);
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      setTimeout(() => client.writable && client.write(d), delayMs).unref();
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
