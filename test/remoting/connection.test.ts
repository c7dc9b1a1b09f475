import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame } from "../../lib/protocol/frame.js";
import { createRequest, createResponse } from "../../lib/protocol/remoting-command.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { type Connection, formatAddress } from "../../lib/remoting/connection.js";
import { delay, RawPeer, startServer, within } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("Connection", () => {
  it("closes a connection whose queued writes exceed maxPendingWriteBytes", async () => {
    const { server, addr } = await startServer({
      handler: (req) => createResponse(req, ResponseCode.SUCCESS, undefined, {}, Buffer.alloc(64 * 1024, 1)),
      maxPendingWriteBytes: 16 * 1024,
    });
    cleanups.push(() => server.close());
    const peer = await RawPeer.connect(addr);
    cleanups.push(() => peer.destroy());
    peer.write(encodeFrame(createRequest(11)));
    await within(peer.closed, 2_000, "close on write overflow");
    expect(peer.frames).toHaveLength(0);
  });

  it("writes large bodies and many small responses intact", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const { server, addr } = await startServer({
      handler: (req) =>
        createResponse(req, ResponseCode.SUCCESS, undefined, {}, req.code === 11 ? big : Buffer.from("s")),
    });
    const c = new RemotingClient();
    cleanups.push(
      () => server.close(),
      () => c.close(),
    );
    const [large, ...small] = await Promise.all([
      c.invoke(addr, createRequest(11)),
      ...Array.from({ length: 50 }, () => c.invoke(addr, createRequest(34))),
    ]);
    expect(large?.body?.equals(big)).toBe(true);
    expect(small.every((r) => r.body?.toString() === "s")).toBe(true);
  });

  it("calls onClose listeners once, and at once for a listener added after close", async () => {
    const { server, addr } = await startServer({ handler: (req) => createResponse(req, 0) });
    const c = new RemotingClient();
    cleanups.push(
      () => server.close(),
      () => c.close(),
    );
    await c.invoke(addr, createRequest(34));
    const conn = server.connections()[0] as Connection;
    let calls = 0;
    conn.onClose(() => calls++);
    conn.close();
    conn.close();
    let late = 0;
    conn.onClose(() => late++);
    await delay(20);
    expect([calls, late]).toEqual([1, 1]);
    expect(conn.isClosed()).toBe(true);
    await expect(conn.invoke(createRequest(34))).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
  });

  it("formats IPv4-mapped IPv6 addresses as plain IPv4", () => {
    expect(formatAddress("::ffff:10.1.2.3", 10911)).toBe("10.1.2.3:10911");
    expect(formatAddress("10.1.2.3", 9876)).toBe("10.1.2.3:9876");
    expect(formatAddress("::1", 9876)).toBe("::1:9876");
  });
});
