/**
 * One TCP connection speaking remoting frames in both directions: requests we send are matched to
 * their responses by opaque; requests we receive go to a handler and are answered as each handler
 * settles, so a long-polled request never blocks the ones behind it.
 *
 * Decoded bodies are views into the received bytes; code that keeps a body beyond the request must copy it.
 */
import type { Socket } from "node:net";
import { StratusError } from "../common/errors.js";
import {
  DEFAULT_INVOKE_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
  MAX_PENDING_WRITE_BYTES,
} from "../common/limits.js";
import { encodeFrame, encodeFrameHead, FrameDecoder } from "../protocol/frame.js";
import {
  bodyLength,
  coalesceParts,
  createResponse,
  isOneway,
  isResponse,
  type RemotingCommand,
  RPC_ONEWAY,
  RPC_TYPE_RESPONSE,
} from "../protocol/remoting-command.js";
import { ResponseCode } from "../protocol/response-code.js";

/** Serves a request received on `connection`; undefined means "no response now" (the handler owns it). */
export type RequestHandler = (
  request: RemotingCommand,
  connection: Connection,
) => Promise<RemotingCommand | undefined> | RemotingCommand | undefined;

export interface ConnectionOptions {
  /** Serves requests the peer sends; without one, requests are answered REQUEST_CODE_NOT_SUPPORTED. */
  handler?: RequestHandler | undefined;
  maxFrameBytes?: number | undefined;
  /** Close after this long without traffic either way; undefined or 0 never closes for idleness. */
  idleCloseMs?: number | undefined;
  maxInFlightRequests?: number | undefined;
  maxPendingWriteBytes?: number | undefined;
}

/** How long a closing connection may take to flush queued writes before it is destroyed. */
export const CLOSE_LINGER_MS = 1_000;
/** Bodies up to this size are copied into the frame (one write); larger ones are written as they are. */
export const COPY_BODY_MAX_BYTES = 16 * 1024;

interface PendingInvoke {
  resolve: (response: RemotingCommand) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

let nextConnectionId = 1;

export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === "function";
}

/** "ip:port" with IPv4-mapped IPv6 addresses shown as plain IPv4. */
export function formatAddress(ip: string | undefined, port: number | undefined): string {
  const host = ip?.startsWith("::ffff:") && ip.includes(".") ? ip.slice("::ffff:".length) : ip;
  return `${host ?? "0.0.0.0"}:${port ?? 0}`;
}

export class Connection {
  readonly id: string;
  readonly remoteAddress: string;
  readonly localAddress: string;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly handler: RequestHandler | undefined;
  private readonly maxInFlight: number;
  private readonly maxPendingWriteBytes: number;
  private readonly pending = new Map<number, PendingInvoke>();
  private readonly closeListeners: Array<() => void> = [];
  private inFlight = 0;
  private corked = false;
  private closed = false;

  constructor(socket: Socket, options: ConnectionOptions = {}) {
    this.id = `conn-${nextConnectionId++}`;
    this.socket = socket;
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    this.decoder = new FrameDecoder(options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.handler = options.handler;
    this.maxInFlight = options.maxInFlightRequests ?? MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION;
    this.maxPendingWriteBytes = options.maxPendingWriteBytes ?? MAX_PENDING_WRITE_BYTES;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => this.markClosed());
    if (options.idleCloseMs) {
      socket.setTimeout(options.idleCloseMs);
      socket.on("timeout", () => this.close());
    }
    if (socket.destroyed) this.markClosed();
  }

  /** Sends `request` and resolves with the peer's response; rejects TIMEOUT or CONNECTION_CLOSED. */
  invoke(request: RemotingCommand, timeoutMs = DEFAULT_INVOKE_TIMEOUT_MS): Promise<RemotingCommand> {
    return new Promise<RemotingCommand>((resolve, reject) => {
      if (this.closed) return reject(this.closedError());
      const opaque = request.opaque;
      if (this.pending.has(opaque)) {
        return reject(new StratusError("ILLEGAL_ARGUMENT", `opaque ${opaque} is already in flight`));
      }
      const timer = setTimeout(() => {
        this.pending.delete(opaque);
        reject(
          new StratusError(
            "TIMEOUT",
            `request code ${request.code} opaque ${opaque} to ${this.remoteAddress} got no response in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(opaque, { resolve, reject, timer });
      try {
        this.send(request);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(opaque);
        reject(e);
      }
    });
  }

  /** Sends `request` with the oneway flag bit set; the peer never answers it. */
  invokeOneway(request: RemotingCommand): void {
    this.send({ ...request, flag: request.flag | RPC_ONEWAY });
  }

  /** Writes one frame (a response or anything else). Dropped silently once the connection is closed. */
  send(command: RemotingCommand): void {
    if (this.closed) return;
    const body = command.body;
    const parts = command.bodyParts;
    if (parts !== undefined && bodyLength(command) > COPY_BODY_MAX_BYTES) {
      // one corked tick: the head and every piece leave in a single writev, none of them copied
      this.write(encodeFrameHead(command));
      for (const part of coalesceParts(parts)) this.write(part);
    } else if (body && body.length > COPY_BODY_MAX_BYTES) {
      const head = encodeFrameHead(command);
      this.write(head);
      this.write(body);
    } else {
      this.write(encodeFrame(command));
    }
    if (this.socket.writableLength > this.maxPendingWriteBytes) {
      this.destroy(
        new StratusError(
          "LIMIT_EXCEEDED",
          `${this.socket.writableLength} bytes queued for ${this.remoteAddress}`,
        ),
      );
    }
  }

  /** Flushes what is queued, then closes; pending invokes fail with CONNECTION_CLOSED right away. */
  close(): void {
    this.markClosed();
    if (this.socket.destroyed) return;
    const linger = setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS);
    linger.unref();
    this.socket.end(() => {
      clearTimeout(linger);
      this.socket.destroy();
    });
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Runs `listener` once when the connection closes (soon after, if it already has). */
  onClose(listener: () => void): void {
    if (this.closed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  private write(buffer: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(buffer);
  }

  private destroy(_reason: unknown): void {
    this.socket.destroy();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [opaque, invoke] of this.pending) {
      clearTimeout(invoke.timer);
      this.pending.delete(opaque);
      invoke.reject(this.closedError());
    }
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private closedError(): StratusError {
    return new StratusError("CONNECTION_CLOSED", `connection to ${this.remoteAddress} is closed`);
  }

  private onData(chunk: Buffer): void {
    let commands: RemotingCommand[];
    try {
      commands = this.decoder.push(chunk);
    } catch (e) {
      // Oversized or garbage bytes: the stream cannot be resynchronised, so only closing is safe.
      this.destroy(e);
      return;
    }
    for (const command of commands) {
      if (this.closed) return;
      if (isResponse(command)) this.onResponse(command);
      else this.onRequest(command);
    }
  }

  private onResponse(response: RemotingCommand): void {
    const invoke = this.pending.get(response.opaque);
    if (!invoke) return; // late (timed out) or unsolicited: nobody is waiting
    clearTimeout(invoke.timer);
    this.pending.delete(response.opaque);
    invoke.resolve(response);
  }

  private onRequest(request: RemotingCommand): void {
    if (!this.handler) {
      const remark = ` request type ${request.code} not supported`;
      this.reply(request, createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark));
      return;
    }
    if (this.inFlight >= this.maxInFlight) {
      const remark = `[OVERLOAD]system busy, ${this.inFlight} requests in flight on this connection`;
      this.reply(request, createResponse(request, ResponseCode.SYSTEM_BUSY, remark));
      return;
    }
    this.inFlight += 1;
    let result: ReturnType<RequestHandler>;
    try {
      result = this.handler(request, this);
    } catch (e) {
      this.inFlight -= 1;
      this.replyError(request, e);
      return;
    }
    if (!isPromiseLike(result)) {
      this.inFlight -= 1;
      this.reply(request, result);
      return;
    }
    result.then(
      (response) => {
        this.inFlight -= 1;
        this.reply(request, response);
      },
      (e: unknown) => {
        this.inFlight -= 1;
        this.replyError(request, e);
      },
    );
  }

  /** Sends `response` for `request` with its opaque, the response bit and its serialization; never for oneway. */
  private reply(request: RemotingCommand, response: RemotingCommand | undefined): void {
    if (response === undefined || isOneway(request) || this.closed) return;
    const out: RemotingCommand = {
      ...response,
      opaque: request.opaque,
      flag: response.flag | RPC_TYPE_RESPONSE,
      serializeType: request.serializeType,
    };
    try {
      this.send(out);
    } catch (e) {
      // The handler's response cannot be encoded (e.g. a value too wide for the binary header).
      try {
        this.send(errorResponse(request, e));
      } catch (again) {
        this.destroy(again);
      }
    }
  }

  private replyError(request: RemotingCommand, error: unknown): void {
    this.reply(request, errorResponse(request, error));
  }
}

/** SYSTEM_ERROR carrying the failure's message as its remark. */
export function errorResponse(request: RemotingCommand, error: unknown): RemotingCommand {
  const message = error instanceof Error ? error.message : String(error);
  return createResponse(request, ResponseCode.SYSTEM_ERROR, message);
}
