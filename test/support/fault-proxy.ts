/**
 * A TCP proxy on loopback that tests put between a process and a server (moto) to take the server away without
 * restarting it (a restarted moto forgets its buckets and tables). node:net only.
 *
 * Modes, switchable at any time:
 * - "forward":   connections are piped to the target, both ways;
 * - "refuse":    the listening socket is closed, so new connections get ECONNREFUSED (the port is bound again
 *                on the way back to "forward"); connections already piped are cut;
 * - "blackhole": connections are accepted, what they send is read and dropped, nothing ever comes back; piped
 *                connections stop passing bytes (a partition: requests hang until the client's timeout);
 * - "reset":     connections are accepted and answered with a TCP RST; piped connections are reset too.
 * Back to "forward", connections held by the blackhole are reset (as a NAT that lost its state would) and new
 * ones are piped again.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export type FaultMode = "forward" | "refuse" | "blackhole" | "reset";

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: what the client is pointed at. */
  readonly endpoint: string;
  readonly port: number;
  readonly mode: FaultMode;
  /** Connections accepted so far (in any mode). */
  readonly accepted: number;
  setMode(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

/** Starts a proxy in "forward" mode to `target` ("host:port" or an http:// URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const url = new URL(target.includes("://") ? target : `tcp://${target}`);
  const targetHost = url.hostname;
  const targetPort = Number(url.port);
  const pairs = new Set<Pair>();
  let mode: FaultMode = "forward";
  let accepted = 0;
  let server: Server | undefined;
  let port = 0;

  const cut = (p: Pair, reset: boolean) => {
    pairs.delete(p);
    for (const s of [p.client, p.upstream]) {
      if (!s || s.destroyed) continue;
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
  };

  const onConnection = (client: Socket) => {
    accepted++;
    const pair: Pair = { client };
    pairs.add(pair);
    client.on("error", () => cut(pair, false));
    client.on("close", () => cut(pair, false));
    if (mode === "reset") {
      cut(pair, true);
      return;
    }
    if (mode === "blackhole") {
      client.on("data", () => {});
      return;
    }
    const upstream = createConnection({ host: targetHost, port: targetPort });
    pair.upstream = upstream;
    upstream.on("error", () => cut(pair, false));
    upstream.on("close", () => cut(pair, false));
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        s.off("error", reject);
        const a = s.address();
        if (a && typeof a === "object") port = a.port;
        server = s;
        resolve();
      });
    });

  const unlisten = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
    });

  await listen();

  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    async setMode(next: FaultMode) {
      const prev = mode;
      mode = next;
      if (next === prev) return;
      if (next === "refuse") {
        await unlisten();
        for (const p of [...pairs]) cut(p, false);
        return;
      }
      if (next === "reset") for (const p of [...pairs]) cut(p, true);
      if (next === "blackhole") {
        // piped connections stop passing bytes in either direction
        for (const p of pairs) {
          p.client.unpipe();
          p.upstream?.unpipe();
          p.client.on("data", () => {});
          p.upstream?.on("data", () => {});
        }
      }
      if (next === "forward" && prev === "blackhole") for (const p of [...pairs]) cut(p, true);
      if (!server) await listen();
    },
    async close() {
      await unlisten();
      for (const p of [...pairs]) cut(p, false);
    },
  };
}
