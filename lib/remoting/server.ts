/**
 * A remoting server: listens on one or more ports (a broker also listens on listenPort - 2, the VIP
 * channel) and serves every connection through one RequestHandler.
 */

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { StratusError } from "../common/errors.js";
import { DEFAULT_IDLE_CLOSE_MS, MAX_CONNECTIONS, MAX_FRAME_BYTES } from "../common/limits.js";
import { Connection, type RequestHandler } from "./connection.js";

export type { RequestHandler } from "./connection.js";

export interface RemotingServerOptions {
  host: string;
  /** Ports to listen on; 0 picks an ephemeral port. */
  ports: number[];
  handler: RequestHandler;
  /** Default DEFAULT_IDLE_CLOSE_MS; 0 disables idle close. */
  idleCloseMs?: number;
  maxFrameBytes?: number;
  maxConnections?: number;
  maxInFlightRequests?: number;
  maxPendingWriteBytes?: number;
}

export class RemotingServer {
  private readonly options: RemotingServerOptions;
  private readonly servers: Server[] = [];
  private readonly ports: number[] = [];
  private readonly live = new Set<Connection>();
  private readonly closeListeners: Array<(c: Connection) => void> = [];
  private stopping = false;

  constructor(options: RemotingServerOptions) {
    this.options = options;
  }

  /** Listens on every configured port; if one fails, the ones already bound are released. */
  async start(): Promise<void> {
    try {
      for (const port of this.options.ports) {
        const server = createServer((socket) => this.accept(socket));
        this.servers.push(server);
        this.ports.push(await listen(server, this.options.host, port));
      }
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** The ports actually bound, in the order of `options.ports`. */
  boundPorts(): number[] {
    return [...this.ports];
  }

  connections(): Connection[] {
    return [...this.live];
  }

  onConnectionClose(listener: (c: Connection) => void): void {
    this.closeListeners.push(listener);
  }

  /** Stops listening and closes every connection (queued writes get a short time to flush). */
  async close(): Promise<void> {
    this.stopping = true;
    const stopped = this.servers.map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    for (const connection of this.live) connection.close();
    await Promise.all(stopped);
  }

  private accept(socket: Socket): void {
    const max = this.options.maxConnections ?? MAX_CONNECTIONS;
    if (this.stopping || this.live.size >= max) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, {
      handler: this.options.handler,
      idleCloseMs: this.options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS,
      maxFrameBytes: this.options.maxFrameBytes ?? MAX_FRAME_BYTES,
      maxInFlightRequests: this.options.maxInFlightRequests,
      maxPendingWriteBytes: this.options.maxPendingWriteBytes,
    });
    this.live.add(connection);
    connection.onClose(() => {
      this.live.delete(connection);
      for (const listener of this.closeListeners) listener(connection);
    });
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (e: Error) =>
      reject(
        new StratusError("CONFIG_INVALID", `cannot listen on ${host}:${port}: ${e.message}`, { cause: e }),
      );
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
