import { connect, type Socket } from "node:net";
import { FrameDecoder } from "../../lib/protocol/frame.js";
import type { RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { RemotingServer, type RemotingServerOptions } from "../../lib/remoting/server.js";

/** A started server on 127.0.0.1 and an ephemeral port. */
export async function startServer(
  options: Partial<RemotingServerOptions> & Pick<RemotingServerOptions, "handler">,
): Promise<{ server: RemotingServer; addr: string }> {
  const server = new RemotingServer({ host: "127.0.0.1", ports: [0], ...options });
  await server.start();
  return { server, addr: `127.0.0.1:${server.boundPorts()[0]}` };
}

/** A bare TCP peer that writes raw bytes and collects the frames it receives. */
export class RawPeer {
  readonly frames: RemotingCommand[] = [];
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder();
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.frames.push(...this.decoder.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
  }

  static connect(addr: string): Promise<RawPeer> {
    const [host, port] = addr.split(":");
    return new Promise((resolve, reject) => {
      const socket = connect({ host: host as string, port: Number(port) });
      socket.once("error", reject);
      socket.once("connect", () => resolve(new RawPeer(socket)));
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves once at least `count` frames have arrived. */
  async waitForFrames(count: number, timeoutMs = 2_000): Promise<RemotingCommand[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.frames.length} of ${count} frames arrived`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
    return this.frames;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}
