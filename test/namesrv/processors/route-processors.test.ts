import { describe, expect, it } from "vitest";
import { brokerProcessors } from "../../../lib/namesrv/processors/broker-processors.js";
import type { NamesrvContext, NamesrvProcessor } from "../../../lib/namesrv/processors/context.js";
import { APPLY_TOPIC_FAQ, routeProcessors } from "../../../lib/namesrv/processors/route-processors.js";
import { decodeClusterInfo, decodeTopicList } from "../../../lib/protocol/cluster-info.js";
import { encodeGetRouteInfoRequestHeader } from "../../../lib/protocol/namesrv-headers.js";
import { createRequest, type RemotingCommand } from "../../../lib/protocol/remoting-command.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { decodeTopicRouteData, encodeTopicRouteData } from "../../../lib/protocol/route-data.js";
import { registerRequest, type TestContext, testChannel, testContext, topicConfig } from "../helpers.js";

function run(ctx: NamesrvContext, request: RemotingCommand): Promise<RemotingCommand> {
  const found = [...brokerProcessors(ctx), ...routeProcessors(ctx)].find(([c]) => c === request.code);
  if (!found) throw new Error(`no processor for ${request.code}`);
  const processor: NamesrvProcessor = found[1];
  return processor(request, testChannel());
}

async function withTwoBrokers(config = {}): Promise<TestContext> {
  const ctx = testContext(config);
  await run(
    ctx,
    registerRequest({ topics: [topicConfig("TopicA"), topicConfig("TBW102", 8, 7), topicConfig("OnlyA")] }),
  );
  await run(
    ctx,
    registerRequest({
      clusterName: "C2",
      brokerName: "broker-b",
      brokerAddr: "127.0.0.3:10911",
      topics: [topicConfig("TopicA"), topicConfig("OnlyB", 2, 6, 1), topicConfig("TBW102", 8, 7)],
    }),
  );
  return ctx;
}

function routeRequest(topic: string, version: number, acceptStandardJsonOnly?: boolean): RemotingCommand {
  const request = createRequest(
    RequestCode.GET_ROUTEINFO_BY_TOPIC,
    encodeGetRouteInfoRequestHeader({ topic, acceptStandardJsonOnly }),
  );
  return { ...request, version };
}

describe("GET_ROUTEINFO_BY_TOPIC", () => {
  it("answers TOPIC_NOT_EXIST with Apache's remark for an unknown topic", async () => {
    const ctx = testContext();
    const response = await run(ctx, routeRequest("Nope", 409));
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(response.remark).toBe(`No topic route info in name server for the topic: Nope${APPLY_TOPIC_FAQ}`);
  });

  it("serves TBW102 so producers can auto-create topics", async () => {
    const ctx = await withTwoBrokers();
    const response = await run(ctx, routeRequest("TBW102", 409));
    expect(response.code).toBe(ResponseCode.SUCCESS);
    const route = decodeTopicRouteData(response.body ?? Buffer.alloc(0));
    expect(route.queueDatas.map((q) => [q.brokerName, q.perm])).toEqual([
      ["broker-a", 7],
      ["broker-b", 7],
    ]);
  });

  it("answers in the JSON style Apache picks by request version and acceptStandardJsonOnly", async () => {
    const ctx = await withTwoBrokers();
    const route = await ctx.routes.pickupTopicRouteData("TopicA");
    if (route === undefined) throw new Error("no route");
    const go = await run(ctx, routeRequest("TopicA", 317));
    expect(go.body?.toString()).toBe(encodeTopicRouteData(route, "fastjson").toString());
    expect(go.body?.toString()).toContain('{0:"127.0.0.1:10911"}');
    const java = await run(ctx, routeRequest("TopicA", 409));
    expect(java.body?.toString()).toBe(encodeTopicRouteData(route, "standard").toString());
    const asked = await run(ctx, routeRequest("TopicA", 121, true));
    expect(asked.body?.toString()).toContain('{"0":"127.0.0.1:10911"}');
  });

  it("adds orderTopicConf from ORDER_TOPIC_CONFIG only when orderMessageEnable is on", async () => {
    const ctx = await withTwoBrokers();
    await ctx.kv.putKVConfig("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4;broker-b:4");
    const off = decodeTopicRouteData((await run(ctx, routeRequest("TopicA", 409))).body ?? Buffer.alloc(0));
    expect(off.orderTopicConf).toBeUndefined();
    ctx.config.current = { ...ctx.config.current, orderMessageEnable: true };
    const on = decodeTopicRouteData((await run(ctx, routeRequest("TopicA", 409))).body ?? Buffer.alloc(0));
    expect(on.orderTopicConf).toBe("broker-a:4;broker-b:4");
  });

  it("answers 'name server not ready' while needWaitForService holds", async () => {
    const ctx = await withTwoBrokers({ needWaitForService: true, waitSecondsForService: 10 });
    const early = await run(ctx, routeRequest("TopicA", 409));
    expect([early.code, early.remark]).toEqual([ResponseCode.SYSTEM_ERROR, "name server not ready"]);
    ctx.clock.advance(10_000);
    expect((await run(ctx, routeRequest("TopicA", 409))).code).toBe(ResponseCode.SUCCESS);
  });
});

describe("cluster info and topic lists", () => {
  it("describes every cluster and broker", async () => {
    const ctx = await withTwoBrokers();
    const info = decodeClusterInfo(
      (await run(ctx, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO))).body ?? Buffer.alloc(0),
    );
    expect(info.clusterAddrTable).toEqual(
      new Map([
        ["DefaultCluster", ["broker-a"]],
        ["C2", ["broker-b"]],
      ]),
    );
    expect(info.brokerAddrTable.get("broker-b")?.brokerAddrs).toEqual(new Map([[0, "127.0.0.3:10911"]]));
  });

  it("lists all topics, a cluster's topics, system topics and unit topics", async () => {
    const ctx = await withTwoBrokers();
    const list = async (request: RemotingCommand) =>
      decodeTopicList((await run(ctx, request)).body ?? Buffer.alloc(0));
    expect(
      (await list(createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER))).topicList.sort(),
    ).toEqual(["OnlyA", "OnlyB", "TBW102", "TopicA"]);
    expect(
      (await list(createRequest(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: "C2" }))).topicList.sort(),
    ).toEqual(["OnlyB", "TBW102", "TopicA"]);
    expect(await list(createRequest(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS))).toEqual({
      topicList: ["DefaultCluster", "broker-a", "C2", "broker-b"],
      brokerAddr: "127.0.0.1:10911",
    });
    expect((await list(createRequest(RequestCode.GET_UNIT_TOPIC_LIST))).topicList).toEqual(["OnlyB"]);
    expect((await list(createRequest(RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST))).topicList).toEqual([]);
  });

  it("answers 'disable' when the lists are turned off", async () => {
    const ctx = await withTwoBrokers({ enableAllTopicList: false, enableTopicList: false });
    for (const request of [
      createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
      createRequest(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: "C2" }),
      createRequest(RequestCode.GET_UNIT_TOPIC_LIST),
    ]) {
      const response = await run(ctx, request);
      expect([response.code, response.remark]).toEqual([ResponseCode.SYSTEM_ERROR, "disable"]);
    }
  });
});

describe("topic administration", () => {
  it("deletes a topic from one cluster, then everywhere", async () => {
    const ctx = await withTwoBrokers();
    await run(
      ctx,
      createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "TopicA", clusterName: "C2" }),
    );
    expect((await ctx.routes.pickupTopicRouteData("TopicA"))?.queueDatas.map((q) => q.brokerName)).toEqual([
      "broker-a",
    ]);
    const response = await run(ctx, createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "TopicA" }));
    expect(response.code).toBe(ResponseCode.SUCCESS);
    expect(await ctx.routes.pickupTopicRouteData("TopicA")).toBeUndefined();
  });

  it("registers a topic from a TopicRouteData body", async () => {
    const ctx = await withTwoBrokers();
    const body = encodeTopicRouteData(
      {
        queueDatas: [
          { brokerName: "broker-b", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
        ],
        brokerDatas: [],
        filterServerTable: new Map(),
      },
      "standard",
    );
    await run(ctx, createRequest(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "Static" }, body));
    expect((await ctx.routes.pickupTopicRouteData("Static"))?.brokerDatas[0]?.brokerName).toBe("broker-b");
  });

  it("wipes and adds write permission, reporting the topic count in the header", async () => {
    const ctx = await withTwoBrokers();
    const wipe = await run(
      ctx,
      createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: "broker-b" }),
    );
    expect(wipe.extFields).toEqual({ wipeTopicCount: "3" });
    expect((await ctx.routes.pickupTopicRouteData("OnlyB"))?.queueDatas[0]?.perm).toBe(4);
    const add = await run(
      ctx,
      createRequest(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: "broker-b" }),
    );
    expect(add.extFields).toEqual({ addTopicCount: "3" });
    expect((await ctx.routes.pickupTopicRouteData("OnlyB"))?.queueDatas[0]?.perm).toBe(6);
  });
});
