import { afterEach, describe, expect, it } from "vitest";
import { AssertionError } from "../../lib/common/assert.js";
import { createRequest, createResponse } from "../../lib/protocol/remoting-command.js";
import { ResponseCode } from "../../lib/protocol/response-code.js";
import { RemotingClient } from "../../lib/remoting/client.js";
import { RequestDispatcher } from "../../lib/remoting/dispatcher.js";
import { startServer } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serveDispatcher(dispatcher: RequestDispatcher): Promise<{ addr: string; c: RemotingClient }> {
  const { server, addr } = await startServer({ handler: dispatcher.handle });
  const c = new RemotingClient();
  cleanups.push(
    () => server.close(),
    () => c.close(),
  );
  return { addr, c };
}

describe("RequestDispatcher", () => {
  it("answers an unknown code REQUEST_CODE_NOT_SUPPORTED with Java's remark", async () => {
    const { addr, c } = await serveDispatcher(new RequestDispatcher());
    const request = createRequest(999);
    await expect(c.invoke(addr, request)).resolves.toMatchObject({
      code: ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
      remark: " request type 999 not supported",
      opaque: request.opaque,
      flag: 1,
    });
  });

  it("routes each code to its processor, sync or async, with the connection", async () => {
    const dispatcher = new RequestDispatcher();
    const peers: string[] = [];
    dispatcher.register(105, (req, conn) => {
      peers.push(conn.remoteAddress);
      return createResponse(req, ResponseCode.TOPIC_NOT_EXIST, "sync");
    });
    dispatcher.register(34, async (req) => createResponse(req, ResponseCode.SUCCESS, "async"));
    const { addr, c } = await serveDispatcher(dispatcher);
    await expect(c.invoke(addr, createRequest(105))).resolves.toMatchObject({ code: 17, remark: "sync" });
    await expect(c.invoke(addr, createRequest(34))).resolves.toMatchObject({ code: 0, remark: "async" });
    expect(peers[0]).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("answers SYSTEM_ERROR with the message when a processor throws or rejects", async () => {
    const dispatcher = new RequestDispatcher();
    dispatcher.register(1, () => {
      throw new Error("thrown");
    });
    dispatcher.register(2, async () => {
      throw new Error("rejected");
    });
    const { addr, c } = await serveDispatcher(dispatcher);
    await expect(c.invoke(addr, createRequest(1))).resolves.toMatchObject({ code: 1, remark: "thrown" });
    await expect(c.invoke(addr, createRequest(2))).resolves.toMatchObject({ code: 1, remark: "rejected" });
  });

  it("returns the processor's own result without waiting when it is synchronous", () => {
    const dispatcher = new RequestDispatcher();
    dispatcher.register(7, () => undefined);
    const result = dispatcher.handle(createRequest(7), {} as never);
    expect(result).toBeUndefined();
  });

  it("treats registering one code twice as a bug", () => {
    const dispatcher = new RequestDispatcher();
    dispatcher.register(10, () => undefined);
    expect(() => dispatcher.register(10, () => undefined)).toThrow(AssertionError);
  });
});
