import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame } from "../../lib/protocol/frame.js";
import { createRequest, createResponse } from "../../lib/protocol/remoting-command.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { COPY_BODY_MAX_BYTES, type Connection, formatAddress } from "../../lib/remoting/connection.js";
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

  it("puts a body given as pieces on the wire byte for byte as the joined body, above and below the copy threshold", async () => {
    const pieces = (n: number) =>
      Array.from({ length: n }, (_, i) => Buffer.alloc(1000 + i, (i * 7 + 1) & 0xff));
    const ext = { nextBeginOffset: "32", minOffset: "0" };
    const { server, addr } = await startServer({
      handler: (req) => {
        const r = createResponse(req, ResponseCode.SUCCESS, "FOUND", ext);
        r.bodyParts = pieces(req.code === 11 ? 40 : 3);
        return r;
      },
    });
    cleanups.push(() => server.close());
    const [host, port] = addr.split(":");
    const socket = connect({ host: host as string, port: Number(port) });
    cleanups.push(() => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    const big = createRequest(11);
    const small = createRequest(34);
    socket.write(Buffer.concat([encodeFrame(big), encodeFrame(small)]));
    // what the same responses with their body joined encode to, as Connection.reply sends them
    const expected = Buffer.concat(
      (
        [
          [big, 40],
          [small, 3],
        ] as const
      ).map(([req, n]) =>
        encodeFrame(createResponse(req, ResponseCode.SUCCESS, "FOUND", ext, Buffer.concat(pieces(n)))),
      ),
    );
    expect(expected.length).toBeGreaterThan(COPY_BODY_MAX_BYTES);
    await within(
      (async () => {
        while (Buffer.concat(chunks).length < expected.length) await delay(5);
      })(),
      2_000,
      "both responses",
    );
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
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
