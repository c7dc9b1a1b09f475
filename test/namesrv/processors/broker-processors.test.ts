import { describe, expect, it } from "vitest";
import { brokerProcessors } from "../../../lib/namesrv/processors/broker-processors.js";
import type { NamesrvContext, NamesrvProcessor } from "../../../lib/namesrv/processors/context.js";
import { decodeKVTable } from "../../../lib/protocol/cluster-info.js";
import { decodeDataVersion, encodeDataVersion } from "../../../lib/protocol/data-version.js";
import { encodeBrokerIdentityHeader } from "../../../lib/protocol/namesrv-headers.js";
import { registerBrokerBodyCrc32 } from "../../../lib/protocol/register-broker-body.js";
import { createRequest, RPC_TYPE_RESPONSE } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { registerRequest, testChannel, testContext, topicConfig } from "../helpers.js";

function processor(ctx: NamesrvContext, code: number): NamesrvProcessor {
  const found = brokerProcessors(ctx).find(([c]) => c === code);
  if (!found) throw new Error(`no processor for ${code}`);
  return found[1];
}

const identity = encodeBrokerIdentityHeader({
  brokerName: "broker-a",
  brokerAddr: "127.0.0.1:10911",
  clusterName: "DefaultCluster",
  brokerId: 0,
});

describe("REGISTER_BROKER", () => {
  it("registers the broker's topics and answers SUCCESS with the request's opaque", async () => {
    const ctx = testContext();
    const request = registerRequest();
    const response = await processor(ctx, RequestCode.REGISTER_BROKER)(request, testChannel());
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(response.opaque).toBe(request.opaque);
    expect(response.flag & RPC_TYPE_RESPONSE).toBe(RPC_TYPE_RESPONSE);
    expect(response.body).toBeUndefined();
    expect((await ctx.routes.getAllTopicList()).sort()).toEqual(["TBW102", "TopicA"]);
  });

  it("accepts the compressed body", async () => {
    const ctx = testContext();
    const response = await processor(ctx, RequestCode.REGISTER_BROKER)(
      registerRequest({}, true),
      testChannel(),
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect((await ctx.routes.getAllTopicList()).sort()).toEqual(["TBW102", "TopicA"]);
  });

  it("answers a slave with its master's addresses in the header", async () => {
    const ctx = testContext();
    const register = processor(ctx, RequestCode.REGISTER_BROKER);
    await register(registerRequest(), testChannel());
    const response = await register(
      registerRequest({ brokerId: 1, brokerAddr: "127.0.0.2:10911", haServerAddr: "127.0.0.2:10912" }),
      testChannel(),
    );
    expect(response.extFields).toEqual({ haServerAddr: "127.0.0.1:10912", masterAddr: "127.0.0.1:10911" });
  });

  it("returns the ORDER_TOPIC_CONFIG table when there is one", async () => {
    const ctx = testContext();
    await ctx.kv.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4");
    const response = await processor(ctx, RequestCode.REGISTER_BROKER)(registerRequest(), testChannel());
    expect(decodeKVTable(response.body ?? Buffer.alloc(0))).toEqual({ table: { TopicA: "broker-a:4" } });
    ctx.config.current = { ...ctx.config.current, returnOrderTopicConfigToBroker: false };
    const again = await processor(ctx, RequestCode.REGISTER_BROKER)(registerRequest(), testChannel());
    expect(again.body).toBeUndefined();
  });

  it("checks bodyCrc32 when the broker sets it", async () => {
    const ctx = testContext();
    const request = registerRequest();
    const crc = registerBrokerBodyCrc32(request.body ?? Buffer.alloc(0));
    const good = { ...request, extFields: { ...request.extFields, bodyCrc32: String(crc) } };
    expect((await processor(ctx, RequestCode.REGISTER_BROKER)(good, testChannel())).code).toBe(
      ResponseCode.SUCCESS,
    );
    const bad = { ...request, extFields: { ...request.extFields, bodyCrc32: String(crc ^ 1) } };
    const response = await processor(ctx, RequestCode.REGISTER_BROKER)(bad, testChannel());
    expect([response.code, response.remark]).toEqual([ResponseCode.SYSTEM_ERROR, "crc32 not match"]);
  });

  it("answers SYSTEM_ERROR 'register broker failed' for a lone topic from a new broker id", async () => {
    const ctx = testContext();
    const response = await processor(ctx, RequestCode.REGISTER_BROKER)(
      registerRequest({ topics: [topicConfig("Only")] }),
      testChannel(),
    );
    expect([response.code, response.remark]).toEqual([ResponseCode.SYSTEM_ERROR, "register broker failed"]);
  });

  it("reads the bare wrapper from brokers older than V3_0_11 and treats no body as an empty table", async () => {
    const ctx = testContext();
    const old = {
      ...registerRequest(),
      version: 36,
      body: Buffer.from('{"topicConfigTable":{"Old":{},"Old2":{}}}'),
    };
    expect((await processor(ctx, RequestCode.REGISTER_BROKER)(old, testChannel())).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect((await ctx.routes.getAllTopicList()).sort()).toEqual(["Old", "Old2"]);
    const empty = {
      ...registerRequest({ brokerName: "broker-e", brokerAddr: "127.0.0.5:10911" }),
      body: undefined,
    };
    expect((await processor(ctx, RequestCode.REGISTER_BROKER)(empty, testChannel())).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect((await ctx.routes.getAllClusterInfo()).brokerAddrTable.has("broker-e")).toBe(true);
  });

  it("fails with HEADER_MALFORMED on a missing header field and ILLEGAL_ARGUMENT on a bad body", async () => {
    const ctx = testContext();
    const register = processor(ctx, RequestCode.REGISTER_BROKER);
    const noName = createRequest(RequestCode.REGISTER_BROKER, { brokerAddr: "a:1" });
    await expect(register(noName, testChannel())).rejects.toMatchObject({ code: "HEADER_MALFORMED" });
    const badBody = { ...registerRequest(), body: Buffer.from("{not json") };
    await expect(register(badBody, testChannel())).rejects.toMatchObject({ code: "ILLEGAL_ARGUMENT" });
  });
});

describe("UNREGISTER_BROKER, QUERY_DATA_VERSION and BROKER_HEARTBEAT", () => {
  it("unregisters a broker", async () => {
    const ctx = testContext();
    await processor(ctx, RequestCode.REGISTER_BROKER)(registerRequest(), testChannel());
    const response = await processor(ctx, RequestCode.UNREGISTER_BROKER)(
      createRequest(RequestCode.UNREGISTER_BROKER, identity),
      testChannel(),
    );
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(await ctx.routes.getAllTopicList()).toEqual([]);
  });

  it("says whether the broker's DataVersion changed and returns the registered one", async () => {
    const ctx = testContext();
    await processor(ctx, RequestCode.REGISTER_BROKER)(registerRequest({ counter: 3 }), testChannel());
    const query = processor(ctx, RequestCode.QUERY_DATA_VERSION);
    const same = encodeDataVersion({ counter: 3, stateVersion: 0, timestamp: 1_700_000_000_000 });
    const unchanged = await query(
      createRequest(RequestCode.QUERY_DATA_VERSION, identity, same),
      testChannel(),
    );
    expect(unchanged.extFields).toEqual({ changed: "false" });
    expect(decodeDataVersion(unchanged.body ?? Buffer.alloc(0)).counter).toBe(3);
    const newer = encodeDataVersion({ counter: 4, stateVersion: 0, timestamp: 1_700_000_000_000 });
    const changed = await query(
      createRequest(RequestCode.QUERY_DATA_VERSION, identity, newer),
      testChannel(),
    );
    expect(changed.extFields).toEqual({ changed: "true" });
  });

  it("keeps a broker alive through unchanged QUERY_DATA_VERSION and through BROKER_HEARTBEAT", async () => {
    const ctx = testContext();
    await processor(ctx, RequestCode.REGISTER_BROKER)(registerRequest({ counter: 3 }), testChannel());
    ctx.clock.advance(100_000);
    const same = encodeDataVersion({ counter: 3, stateVersion: 0, timestamp: 1_700_000_000_000 });
    await processor(ctx, RequestCode.QUERY_DATA_VERSION)(
      createRequest(RequestCode.QUERY_DATA_VERSION, identity, same),
      testChannel(),
    );
    ctx.clock.advance(100_000);
    expect(await ctx.routes.scanNotActiveBroker()).toEqual([]);
    const heartbeat = createRequest(RequestCode.BROKER_HEARTBEAT, identity);
    expect((await processor(ctx, RequestCode.BROKER_HEARTBEAT)(heartbeat, testChannel())).code).toBe(
      ResponseCode.SUCCESS,
    );
    ctx.clock.advance(100_000);
    expect(await ctx.routes.scanNotActiveBroker()).toEqual([]);
    ctx.clock.advance(30_000);
    expect(await ctx.routes.scanNotActiveBroker()).toEqual(["127.0.0.1:10911"]);
  });
});
