/**
 * A remoting client: one connection per "host:port", opened lazily and reopened lazily after it
 * closes. Requests the server sends back over that connection go to the optional handler.
 */
import { connect, type Socket } from "node:net";
import { systemClock } from "../common/clock.js";
import { StratusError } from "../common/errors.js";
import { DEFAULT_INVOKE_TIMEOUT_MS, MAX_FRAME_BYTES } from "../common/limits.js";
import type { RemotingCommand } from "../protocol/remoting-command.js";
import { Connection, type RequestHandler } from "./connection.js";

/** Longest a TCP connect may take (Apache connectTimeoutMillis). */
export const CONNECT_TIMEOUT_MS = 3_000;

export interface RemotingClientOptions {
  handler?: RequestHandler;
  maxFrameBytes?: number;
}

/** Splits "host:port", "[v6]:port" or a bare-v6 "a:b::c:port" at its last colon. */
export function parseAddress(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(":");
  const port = Number(addr.slice(colon + 1));
  let host = addr.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535 || host === "") {
    throw new StratusError("ILLEGAL_ARGUMENT", `address "${addr}" is not host:port`);
  }
  return { host, port };
}

export class RemotingClient {
  private readonly options: RemotingClientOptions;
  private readonly connections = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(options: RemotingClientOptions = {}) {
    this.options = options;
  }

  /** Sends `request` to `addr`; the timeout covers connecting too. Rejects TIMEOUT / CONNECTION_CLOSED. */
  async invoke(
    addr: string,
    request: RemotingCommand,
    timeoutMs = DEFAULT_INVOKE_TIMEOUT_MS,
  ): Promise<RemotingCommand> {
    const startedMs = systemClock.monotonicMs();
    const connection = await this.connection(addr, timeoutMs);
    const leftMs = Math.max(1, Math.ceil(timeoutMs - (systemClock.monotonicMs() - startedMs)));
    return connection.invoke(request, leftMs);
  }

  /** Sends `request` to `addr` with the oneway bit set; resolves once it is queued for writing. */
  async invokeOneway(addr: string, request: RemotingCommand): Promise<void> {
    const connection = await this.connection(addr, DEFAULT_INVOKE_TIMEOUT_MS);
    connection.invokeOneway(request);
  }

  /** Closes every connection; pending invokes fail with CONNECTION_CLOSED, later ones too. */
  close(): void {
    this.closed = true;
    for (const socket of this.sockets) socket.destroy();
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private connection(addr: string, timeoutMs: number): Promise<Connection> {
    if (this.closed) return Promise.reject(closedClient());
    const existing = this.connections.get(addr);
    if (existing && !existing.isClosed()) return Promise.resolve(existing);
    let opening = this.connecting.get(addr);
    if (!opening) {
      opening = this.open(addr).finally(() => this.connecting.delete(addr));
      this.connecting.set(addr, opening);
    }
    return withDeadline(opening, timeoutMs, `connect to ${addr}`);
  }

  private open(addr: string): Promise<Connection> {
    return new Promise<Connection>((resolve, reject) => {
      const { host, port } = parseAddress(addr);
      const socket = connect({ host, port, timeout: CONNECT_TIMEOUT_MS });
      this.sockets.add(socket);
      const fail = (message: string, cause?: unknown) => {
        this.sockets.delete(socket);
        socket.destroy();
        reject(new StratusError("CONNECTION_CLOSED", `connect to ${addr} failed: ${message}`, { cause }));
      };
      const onTimeout = () => fail(`no answer in ${CONNECT_TIMEOUT_MS} ms`);
      const onError = (e: Error) => fail(e.message, e);
      const onClose = () => fail("closed while connecting");
      socket.once("timeout", onTimeout);
      socket.once("error", onError);
      socket.once("close", onClose);
      socket.once("connect", () => {
        this.sockets.delete(socket);
        socket.off("timeout", onTimeout);
        socket.off("error", onError);
        socket.off("close", onClose);
        socket.setTimeout(0);
        if (this.closed) return fail("client closed");
        const connection = new Connection(socket, {
          handler: this.options.handler,
          maxFrameBytes: this.options.maxFrameBytes ?? MAX_FRAME_BYTES,
        });
        this.connections.set(addr, connection);
        connection.onClose(() => {
          if (this.connections.get(addr) === connection) this.connections.delete(addr);
        });
        resolve(connection);
      });
    });
  }
}

function closedClient(): StratusError {
  return new StratusError("CONNECTION_CLOSED", "remoting client is closed");
}

/** `promise`, or TIMEOUT if it has not settled within `timeoutMs` (the promise itself carries on). */
function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StratusError("TIMEOUT", `${what} did not finish in ${timeoutMs} ms`)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
