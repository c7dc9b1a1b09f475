import { afterEach, describe, expect, it } from "vitest";
import { createRequest, createResponse, type RemotingCommand } from "../../lib/protocol/remoting-command.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { parseAddress, RemotingClient } from "../../lib/remoting/client.js";
import type { Connection } from "../../lib/remoting/connection.js";
import type { RequestHandler } from "../../lib/remoting/server.js";
import { delay, startServer, within } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(handler: RequestHandler) {
  const started = await startServer({ handler });
  cleanups.push(() => started.server.close());
  return started;
}

function client(): RemotingClient {
  const c = new RemotingClient();
  cleanups.push(() => c.close());
  return c;
}

const ok: RequestHandler = (req) => createResponse(req, ResponseCode.SUCCESS);
/** Never answers: the request stays unanswered until the connection closes. */
const silent: RequestHandler = () => undefined;

describe("RemotingClient", () => {
  it("keeps one connection per address", async () => {
    const { addr, server } = await serve(ok);
    const c = client();
    await Promise.all([c.invoke(addr, createRequest(34)), c.invoke(addr, createRequest(34))]);
    await c.invoke(addr, createRequest(34));
    expect(server.connections()).toHaveLength(1);
  });

  it("reconnects lazily after the connection closes", async () => {
    const { addr, server } = await serve(ok);
    const c = client();
    await c.invoke(addr, createRequest(34));
    const first = server.connections()[0] as Connection;
    first.close();
    await delay(50);
    await expect(c.invoke(addr, createRequest(34))).resolves.toMatchObject({ code: ResponseCode.SUCCESS });
    const second = server.connections()[0] as Connection;
    expect(server.connections()).toHaveLength(1);
    expect(second.id).not.toBe(first.id);
  });

  it("rejects with TIMEOUT when no response arrives in time, and ignores the late one", async () => {
    let parked: { req: RemotingCommand; conn: Connection } | undefined;
    const { addr } = await serve((req, conn) => {
      if (req.code === 11) parked = { req, conn };
      return req.code === 11 ? undefined : createResponse(req, ResponseCode.SUCCESS);
    });
    const c = client();
    const started = Date.now();
    await expect(c.invoke(addr, createRequest(11), 150)).rejects.toMatchObject({
      code: "TIMEOUT",
      retriable: true,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const { req, conn } = parked as { req: RemotingCommand; conn: Connection };
    conn.send(createResponse(req, ResponseCode.SUCCESS, "late"));
    await expect(c.invoke(addr, createRequest(34))).resolves.toMatchObject({ code: ResponseCode.SUCCESS });
  });

  it("fails pending invokes with CONNECTION_CLOSED when the client closes, and later invokes too", async () => {
    const { addr } = await serve(silent);
    const c = client();
    const pending = expect(c.invoke(addr, createRequest(11), 5_000)).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
    });
    await delay(50);
    c.close();
    await within(pending, 1_000, "pending rejection");
    await expect(c.invoke(addr, createRequest(34))).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    await expect(c.invokeOneway(addr, createRequest(15))).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
    });
  });

  it("fails pending invokes with CONNECTION_CLOSED when the server drops the connection", async () => {
    const { addr, server } = await serve(silent);
    const c = client();
    const pending = expect(c.invoke(addr, createRequest(11), 5_000)).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
    });
    await delay(50);
    (server.connections()[0] as Connection).close();
    await within(pending, 2_000, "pending rejection");
  });

  it("rejects with CONNECTION_CLOSED when nothing listens at the address", async () => {
    const { addr, server } = await serve(ok);
    await server.close();
    const c = client();
    await expect(c.invoke(addr, createRequest(34))).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
      retriable: true,
    });
  });

  it("sends oneway requests with the oneway bit and expects nothing back", async () => {
    const seen: RemotingCommand[] = [];
    const { addr } = await serve((req) => {
      seen.push(req);
      return createResponse(req, ResponseCode.SUCCESS);
    });
    const c = client();
    await c.invokeOneway(addr, createRequest(15, { commitOffset: "42" }));
    await c.invoke(addr, createRequest(34));
    expect(seen.map((r) => [r.code, r.flag])).toEqual([
      [15, 2],
      [34, 0],
    ]);
    expect(seen[0]?.extFields).toEqual({ commitOffset: "42" });
  });

  it("rejects an address that is not host:port with ILLEGAL_ARGUMENT", async () => {
    const c = client();
    await expect(c.invoke("localhost", createRequest(34))).rejects.toMatchObject({
      code: "ILLEGAL_ARGUMENT",
    });
  });
});

describe("parseAddress", () => {
  it("splits host and port at the last colon, with or without IPv6 brackets", () => {
    expect(parseAddress("10.0.0.1:10911")).toEqual({ host: "10.0.0.1", port: 10911 });
    expect(parseAddress("[::1]:9876")).toEqual({ host: "::1", port: 9876 });
    expect(parseAddress("0:0:0:0:0:0:0:1:9876")).toEqual({ host: "0:0:0:0:0:0:0:1", port: 9876 });
  });

  it.each(["", "host", ":9876", "host:", "host:0", "host:70000", "host:12ab"])(
    "rejects %j with ILLEGAL_ARGUMENT",
    (addr) => {
      expect(() => parseAddress(addr)).toThrow(expect.objectContaining({ code: "ILLEGAL_ARGUMENT" }));
    },
  );
});
