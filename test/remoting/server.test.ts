import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame } from "../../lib/protocol/frame.js";
import {
  createRequest,
  createResponse,
  type RemotingCommand,
  RPC_ONEWAY,
  SerializeType,
} from "../../lib/protocol/remoting-command.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import type { Connection } from "../../lib/remoting/connection.js";
import type { RemotingServer, RemotingServerOptions, RequestHandler } from "../../lib/remoting/server.js";
import { delay, RawPeer, startServer, within } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(handler: RequestHandler, extra: Partial<RemotingServerOptions> = {}) {
  const started = await startServer({ ...extra, handler });
  cleanups.push(() => started.server.close());
  return started;
}

function client(handler?: RequestHandler): RemotingClient {
  const c = new RemotingClient(handler ? { handler } : {});
  cleanups.push(() => c.close());
  return c;
}

async function raw(addr: string): Promise<RawPeer> {
  const peer = await RawPeer.connect(addr);
  cleanups.push(() => peer.destroy());
  return peer;
}

/** Echoes the request's extFields and body back with SUCCESS and a remark naming the code. */
const echo: RequestHandler = (req) =>
  createResponse(req, ResponseCode.SUCCESS, `echo ${req.code}`, { ...req.extFields }, req.body);

describe("RemotingServer round trips", () => {
  for (const [name, type] of [
    ["JSON", SerializeType.JSON],
    ["ROCKETMQ", SerializeType.ROCKETMQ],
  ] as const) {
    it(`answers a ${name} request in ${name} with its opaque and the response bit`, async () => {
      const { addr } = await serve(echo);
      const request: RemotingCommand = {
        ...createRequest(105, { topic: "TopicTest", n: "9007199254740993" }, Buffer.from("payload")),
        serializeType: type,
      };
      const peer = await raw(addr);
      peer.write(encodeFrame(request));
      const [response] = await peer.waitForFrames(1);
      expect(response).toMatchObject({
        code: ResponseCode.SUCCESS,
        opaque: request.opaque,
        flag: 1,
        remark: "echo 105",
        serializeType: type,
        extFields: { topic: "TopicTest", n: "9007199254740993" },
      });
      expect(response?.body?.toString()).toBe("payload");
    });
  }

  it("forces the request's opaque, the response bit and the request's serialization onto the reply", async () => {
    const { addr } = await serve((req) => ({
      ...createRequest(0, { k: "v" }),
      opaque: req.opaque + 1000,
      serializeType: req.serializeType === SerializeType.JSON ? SerializeType.ROCKETMQ : SerializeType.JSON,
    }));
    const peer = await raw(addr);
    const request: RemotingCommand = { ...createRequest(34), serializeType: SerializeType.ROCKETMQ };
    peer.write(encodeFrame(request));
    const [response] = await peer.waitForFrames(1);
    expect(response).toMatchObject({
      opaque: request.opaque,
      flag: 1,
      serializeType: SerializeType.ROCKETMQ,
      extFields: { k: "v" },
    });
  });

  it("serves requests of one connection concurrently and answers in completion order", async () => {
    const handler: RequestHandler = async (req) => {
      await delay(Number(req.extFields.waitMs));
      return createResponse(req, ResponseCode.SUCCESS, req.extFields.waitMs);
    };
    const { addr } = await serve(handler);
    const peer = await raw(addr);
    const slow = createRequest(11, { waitMs: "300" });
    const fast = createRequest(11, { waitMs: "10" });
    peer.write(Buffer.concat([encodeFrame(slow), encodeFrame(fast)]));
    const frames = await peer.waitForFrames(2);
    expect(frames.map((f) => f.opaque)).toEqual([fast.opaque, slow.opaque]);
  });

  it("matches many concurrent client invokes to their own responses", async () => {
    const handler: RequestHandler = async (req) => {
      await delay(Math.floor(Math.random() * 30));
      return createResponse(req, ResponseCode.SUCCESS, undefined, { i: req.extFields.i as string });
    };
    const { addr } = await serve(handler);
    const c = client();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => c.invoke(addr, createRequest(11, { i: String(i) }))),
    );
    expect(responses.map((r) => r.extFields.i)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it("sends nothing for a oneway request, even when the handler fails", async () => {
    const calls: number[] = [];
    const handler: RequestHandler = (req) => {
      calls.push(req.code);
      if (req.code === 15) throw new Error("boom");
      return createResponse(req, ResponseCode.SUCCESS);
    };
    const { addr } = await serve(handler);
    const peer = await raw(addr);
    const onewayOk = createRequest(37, {}, undefined, true);
    const onewayFailing = createRequest(15, {}, undefined, true);
    const normal = createRequest(34);
    peer.write(Buffer.concat([encodeFrame(onewayOk), encodeFrame(onewayFailing), encodeFrame(normal)]));
    await peer.waitForFrames(1);
    await delay(50);
    expect(calls).toEqual([37, 15, 34]);
    expect(peer.frames.map((f) => f.opaque)).toEqual([normal.opaque]);
  });

  it("sends nothing when the handler returns undefined, leaving the reply to the processor", async () => {
    let parked: { req: RemotingCommand; conn: Connection } | undefined;
    const { addr } = await serve((req, conn) => {
      parked = { req, conn };
      return undefined;
    });
    const c = client();
    const pending = c.invoke(addr, createRequest(11), 2_000);
    await delay(100);
    expect(parked).toBeDefined();
    const { req, conn } = parked as { req: RemotingCommand; conn: Connection };
    conn.send(createResponse(req, ResponseCode.PULL_NOT_FOUND, "later"));
    await expect(pending).resolves.toMatchObject({ code: ResponseCode.PULL_NOT_FOUND, remark: "later" });
  });

  it("answers SYSTEM_ERROR with the message when a raw handler throws or rejects", async () => {
    const { addr } = await serve(async (req) => {
      if (req.code === 1) throw new Error("sync-ish failure");
      return Promise.reject(new Error("async failure"));
    });
    const c = client();
    await expect(c.invoke(addr, createRequest(1))).resolves.toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: "sync-ish failure",
    });
    await expect(c.invoke(addr, createRequest(2))).resolves.toMatchObject({
      code: ResponseCode.SYSTEM_ERROR,
      remark: "async failure",
    });
  });

  it("answers SYSTEM_ERROR when the handler's response cannot be encoded in the request's serialization", async () => {
    const { addr } = await serve((req) => createResponse(req, 200050));
    const peer = await raw(addr);
    const request: RemotingCommand = { ...createRequest(11), serializeType: SerializeType.ROCKETMQ };
    peer.write(encodeFrame(request));
    const [response] = await peer.waitForFrames(1);
    expect(response).toMatchObject({ code: ResponseCode.SYSTEM_ERROR, opaque: request.opaque });
  });

  it("answers SYSTEM_BUSY once a connection has too many requests in flight", async () => {
    const releases: Array<() => void> = [];
    const handler: RequestHandler = (req) =>
      new Promise((resolve) => releases.push(() => resolve(createResponse(req, ResponseCode.SUCCESS))));
    const { addr } = await serve(handler, { maxInFlightRequests: 2 });
    const peer = await raw(addr);
    const requests = [createRequest(11), createRequest(11), createRequest(11)];
    peer.write(Buffer.concat(requests.map((r) => encodeFrame(r))));
    const [busy] = await peer.waitForFrames(1);
    expect(busy).toMatchObject({ code: ResponseCode.SYSTEM_BUSY, opaque: requests[2]?.opaque });
    for (const release of releases) release();
    const frames = await peer.waitForFrames(3);
    expect(frames.slice(1).map((f) => f.code)).toEqual([ResponseCode.SUCCESS, ResponseCode.SUCCESS]);
  });
});

describe("RemotingServer server-initiated requests", () => {
  it("invokes the client and matches the response by opaque", async () => {
    const connections: Connection[] = [];
    const { addr, server } = await serve((req, conn) => {
      connections.push(conn);
      return createResponse(req, ResponseCode.SUCCESS);
    });
    const c = client((req) =>
      createResponse(req, ResponseCode.SUCCESS, `client saw ${req.code}`, { q: "1" }),
    );
    await c.invoke(addr, createRequest(34));
    expect(server.connections()).toHaveLength(1);
    const conn = server.connections()[0] as Connection;
    expect(conn).toBe(connections[0]);
    const response = await conn.invoke(createRequest(307, { consumerGroup: "cg" }), 2_000);
    expect(response).toMatchObject({
      code: ResponseCode.SUCCESS,
      remark: "client saw 307",
      extFields: { q: "1" },
    });
  });

  it("delivers a server oneway request to the client handler without any reply", async () => {
    const seen: RemotingCommand[] = [];
    const { addr, server } = await serve((req) => createResponse(req, ResponseCode.SUCCESS));
    const c = client((req) => {
      seen.push(req);
      return createResponse(req, ResponseCode.SUCCESS);
    });
    await c.invoke(addr, createRequest(34));
    const conn = server.connections()[0] as Connection;
    conn.invokeOneway(createRequest(40, { consumerGroup: "cg" }));
    await within(
      (async () => {
        while (seen.length === 0) await delay(10);
      })(),
      2_000,
      "oneway delivery",
    );
    expect(seen[0]?.flag).toBe(RPC_ONEWAY);
    expect(seen[0]?.extFields).toEqual({ consumerGroup: "cg" });
  });

  it("answers a server request REQUEST_CODE_NOT_SUPPORTED when the client has no handler", async () => {
    const { addr, server } = await serve((req) => createResponse(req, ResponseCode.SUCCESS));
    const c = client();
    await c.invoke(addr, createRequest(34));
    const response = await (server.connections()[0] as Connection).invoke(createRequest(307), 2_000);
    expect(response).toMatchObject({
      code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      remark: " request type 307 not supported",
    });
  });
});

describe("RemotingServer connection hygiene", () => {
  it("closes a connection that stays idle for idleCloseMs", async () => {
    const closed: Connection[] = [];
    const { addr, server } = await serve(echo, { idleCloseMs: 150 });
    server.onConnectionClose((conn) => closed.push(conn));
    const peer = await raw(addr);
    const started = Date.now();
    await within(peer.closed, 3_000, "idle close");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await delay(20);
    expect(closed).toHaveLength(1);
    expect(server.connections()).toHaveLength(0);
  });

  it("keeps a connection with traffic open past idleCloseMs", async () => {
    const { addr } = await serve(echo, { idleCloseMs: 400 });
    const peer = await raw(addr);
    for (let i = 0; i < 8; i++) {
      peer.write(encodeFrame(createRequest(34)));
      await delay(80);
    }
    expect(peer.socket.destroyed).toBe(false);
    expect(peer.frames).toHaveLength(8);
  });

  it("closes only the connection that sends an oversized frame", async () => {
    const { addr } = await serve(echo, { maxFrameBytes: 1024 });
    const c = client();
    await c.invoke(addr, createRequest(34));
    const peer = await raw(addr);
    const huge = Buffer.alloc(8);
    huge.writeInt32BE(0x7fffffff, 0);
    peer.write(huge);
    await within(peer.closed, 2_000, "oversized close");
    await expect(c.invoke(addr, createRequest(34, { still: "ok" }))).resolves.toMatchObject({
      code: ResponseCode.SUCCESS,
      extFields: { still: "ok" },
    });
  });

  it("closes only the connection that sends garbage", async () => {
    const { addr, server } = await serve(echo);
    const c = client();
    await c.invoke(addr, createRequest(34));
    const peer = await raw(addr);
    const garbage = Buffer.alloc(40, 0x41);
    garbage.writeInt32BE(36, 0);
    garbage.writeInt32BE(32, 4);
    peer.write(garbage);
    await within(peer.closed, 2_000, "garbage close");
    await expect(c.invoke(addr, createRequest(34))).resolves.toMatchObject({ code: ResponseCode.SUCCESS });
    expect(server.connections()).toHaveLength(1);
  });

  it("refuses connections beyond maxConnections", async () => {
    const { addr } = await serve(echo, { maxConnections: 1 });
    const first = await raw(addr);
    const second = await raw(addr);
    await within(second.closed, 2_000, "refused connection close");
    first.write(encodeFrame(createRequest(34)));
    await expect(first.waitForFrames(1)).resolves.toHaveLength(1);
  });

  it("listens on every configured port and reports them in order", async () => {
    const { server } = await serve(echo, { ports: [0, 0] });
    const ports = server.boundPorts();
    expect(ports).toHaveLength(2);
    expect(ports[0]).not.toBe(ports[1]);
    const c = client();
    for (const port of ports) {
      await expect(c.invoke(`127.0.0.1:${port}`, createRequest(34))).resolves.toMatchObject({ code: 0 });
    }
  });

  it("rejects start with CONFIG_INVALID when a port is taken", async () => {
    const { server } = await serve(echo);
    const taken = server.boundPorts()[0] as number;
    const { RemotingServer: Server } = await import("../../lib/remoting/server.js");
    const clash: RemotingServer = new Server({ host: "127.0.0.1", ports: [0, taken], handler: echo });
    await expect(clash.start()).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("reports IPv4 peers as plain ip:port", async () => {
    const { addr, server } = await serve(echo);
    const c = client();
    await c.invoke(addr, createRequest(34));
    const conn = server.connections()[0] as Connection;
    expect(conn.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(conn.localAddress).toBe(addr);
    expect(conn.id).toMatch(/\S/);
  });

  it("close stops listening and fails the server's own pending invokes", async () => {
    const { addr, server } = await serve(echo);
    const c = client(() => new Promise(() => {}));
    await c.invoke(addr, createRequest(34));
    const conn = server.connections()[0] as Connection;
    const pending = expect(conn.invoke(createRequest(307), 5_000)).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
    });
    await server.close();
    await pending;
    expect(conn.isClosed()).toBe(true);
    await expect(RawPeer.connect(addr)).rejects.toThrow();
  });
});
