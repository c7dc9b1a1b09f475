import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alterTopicAttributes } from "../../../lib/broker/processor/admin-broker-processor.js";
import {
  decodeSubscriptionGroupWrapper,
  decodeTopicConfigSerializeWrapper,
  encodeSubscriptionGroupConfig,
} from "../../../lib/protocol/body/admin-bodies.js";
import { decodeTopicList } from "../../../lib/protocol/cluster-info.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { decodeTopicConfigJson } from "../../../lib/protocol/topic-config.js";
import { type AdminFixture, createAdminFixture } from "./admin-fixture.js";

function createTopicHeader(topic: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    topic,
    defaultTopic: "TBW102",
    readQueueNums: "4",
    writeQueueNums: "6",
    perm: "6",
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: "0",
    order: "false",
    ...extra,
  };
}

const group = {
  groupName: "GroupA",
  consumeEnable: false,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: false,
  consumeMessageOrderly: true,
  retryQueueNums: 2,
  retryMaxTimes: 3,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: true,
  groupSysFlag: 0,
  consumeTimeoutMinute: 15,
};

let f: AdminFixture;
beforeEach(() => {
  f = createAdminFixture();
});
afterEach(() => f.cleanup());

describe("UPDATE_AND_CREATE_TOPIC", () => {
  it("creates the topic from the header, persists it and re-registers", async () => {
    const r = await f.call(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      createTopicHeader("TopicA", { order: "true", perm: "4" }),
    );
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(f.ctx.topicConfigManager.select("TopicA")).toEqual({
      topicName: "TopicA",
      readQueueNums: 4,
      writeQueueNums: 6,
      perm: 4,
      topicFilterType: "SINGLE_TAG",
      topicSysFlag: 0,
      order: true,
      attributes: {},
    });
    expect(readFileSync(join(f.dir, "config", "topics.json"), "utf8")).toContain('"TopicA"');
    expect(f.registrations()).toBe(1);
  });

  it("replaces an existing topic's config", async () => {
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA"));
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA", { writeQueueNums: "2" }));
    expect(f.ctx.topicConfigManager.select("TopicA")?.writeQueueNums).toBe(2);
  });

  it("refuses an illegal topic name with SYSTEM_ERROR naming the rule", async () => {
    const r = await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("bad topic!"));
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain("illegal characters");
    expect(f.ctx.topicConfigManager.select("bad topic!")).toBeUndefined();
  });

  it("refuses system topics, the cluster name and the broker name", async () => {
    for (const topic of ["TBW102", "SCHEDULE_TOPIC_XXXX", "rmq_sys_x", "ClusterT", "broker-a"]) {
      const r = await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader(topic));
      expect(r.code, topic).toBe(ResponseCode.SYSTEM_ERROR);
      expect(r.remark).toBe(`The topic[${topic}] is conflict with system topic.`);
    }
    expect(f.registrations()).toBe(0);
  });

  it("refuses bad perm, queue counts and filter types with INVALID_PARAMETER", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ perm: "8" }, /perm 8/],
      [{ perm: "-1" }, /perm -1/],
      [{ readQueueNums: "1025" }, /readQueueNums 1025/],
      [{ writeQueueNums: "-2" }, /writeQueueNums -2/],
      [{ topicFilterType: "SQL" }, /topicFilterType/],
    ];
    for (const [extra, remark] of cases) {
      const r = await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA", extra));
      expect(r.code).toBe(ResponseCode.INVALID_PARAMETER);
      expect(r.remark).toMatch(remark);
    }
    expect(f.ctx.topicConfigManager.select("TopicA")).toBeUndefined();
  });

  it("answers SYSTEM_ERROR naming a missing or malformed header field", async () => {
    const { topic: _, ...noTopic } = createTopicHeader("TopicA");
    const r1 = await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, noTopic);
    expect(r1.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r1.remark).toContain("<topic>");
    const r2 = await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA", { perm: "rw" }));
    expect(r2.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r2.remark).toContain("<perm>");
  });

  it("applies 5.x attributes: added on create, deleted on update, deletion refused on create", async () => {
    const add = createTopicHeader("TopicA", { attributes: "+message.type=FIFO,+queue.type=SimpleCQ" });
    expect((await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, add)).code).toBe(ResponseCode.SUCCESS);
    expect(f.ctx.topicConfigManager.select("TopicA")?.attributes).toEqual({
      "message.type": "FIFO",
      "queue.type": "SimpleCQ",
    });
    await f.call(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      createTopicHeader("TopicA", { attributes: "-queue.type" }),
    );
    expect(f.ctx.topicConfigManager.select("TopicA")?.attributes).toEqual({ "message.type": "FIFO" });
    const r = await f.call(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      createTopicHeader("TopicB", { attributes: "-x" }),
    );
    expect(r.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(r.remark).toContain("only add attribute");
    const bad = await f.call(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      createTopicHeader("TopicB", { attributes: "message.type" }),
    );
    expect(bad.code).toBe(ResponseCode.INVALID_PARAMETER);
  });

  it("keeps existing attributes when a 4.9 tool sends none", async () => {
    await f.call(
      RequestCode.UPDATE_AND_CREATE_TOPIC,
      createTopicHeader("TopicA", { attributes: "+message.type=FIFO" }),
    );
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA"));
    expect(f.ctx.topicConfigManager.select("TopicA")?.attributes).toEqual({ "message.type": "FIFO" });
  });
});

describe("alterTopicAttributes", () => {
  it("refuses deleting a key that is not set", () => {
    expect(alterTopicAttributes({ a: "1" }, [{ op: "-", key: "b", value: "" }])).toBe(
      "attempt to delete a nonexistent key: b",
    );
  });
});

describe("DELETE_TOPIC_IN_BROKER", () => {
  it("removes the config, the group offsets and the store's queues, then re-registers", async () => {
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA"));
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 0, 5);
    f.store.put("TopicA", 0, { storeTimestamp: 1 });
    const r = await f.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "TopicA" });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(f.ctx.topicConfigManager.select("TopicA")).toBeUndefined();
    expect(f.ctx.consumerOffsetManager.queryOffset("GroupA", "TopicA", 0)).toBe(-1);
    expect(f.store.deleted).toEqual(["TopicA"]);
    expect(f.registrations()).toBe(2);
  });

  it("answers SUCCESS for a topic it does not have, without re-registering", async () => {
    expect((await f.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "Nope" })).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(f.registrations()).toBe(0);
  });

  it("refuses to delete system topics", async () => {
    const r = await f.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "TBW102" });
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(f.ctx.topicConfigManager.select("TBW102")).toBeDefined();
  });
});

describe("topic queries", () => {
  it("GET_ALL_TOPIC_CONFIG returns every topic and the table's DataVersion", async () => {
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA"));
    const r = await f.call(RequestCode.GET_ALL_TOPIC_CONFIG);
    expect(r.code).toBe(ResponseCode.SUCCESS);
    const w = decodeTopicConfigSerializeWrapper(r.body ?? Buffer.alloc(0));
    expect(w.dataVersion).toEqual(f.ctx.topicConfigManager.dataVersion);
    expect(w.topicConfigTable.map((t) => t.topicName)).toEqual(
      f.ctx.topicConfigManager.all().map((t) => t.topicName),
    );
    expect(w.topicConfigTable.find((t) => t.topicName === "TopicA")?.writeQueueNums).toBe(6);
  });

  it("GET_TOPIC_CONFIG returns the TopicConfig bean, TOPIC_NOT_EXIST for an unknown topic", async () => {
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA"));
    const r = await f.call(RequestCode.GET_TOPIC_CONFIG, { topic: "TopicA" });
    expect(decodeTopicConfigJson(r.body?.toString() ?? "")).toEqual(
      f.ctx.topicConfigManager.select("TopicA"),
    );
    const missing = await f.call(RequestCode.GET_TOPIC_CONFIG, { topic: "Nope" });
    expect(missing.code).toBe(ResponseCode.TOPIC_NOT_EXIST);
    expect(missing.remark).toBe("No topic in this broker. topic: Nope");
  });

  it("GET_SYSTEM_TOPIC_LIST_FROM_BROKER lists the broker's system topics only", async () => {
    await f.call(RequestCode.UPDATE_AND_CREATE_TOPIC, createTopicHeader("TopicA"));
    const list = decodeTopicList(
      (await f.call(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER)).body ?? Buffer.alloc(0),
    );
    expect(list.topicList).toEqual(
      expect.arrayContaining([
        "TBW102",
        "ClusterT",
        "broker-a",
        "SCHEDULE_TOPIC_XXXX",
        "ClusterT_REPLY_TOPIC",
      ]),
    );
    expect(list.topicList).not.toContain("TopicA");
    expect(list.brokerAddr).toBeUndefined();
  });
});

describe("subscription groups", () => {
  it("creates a group, persists it and lists it with a bumped DataVersion", async () => {
    const before = decodeSubscriptionGroupWrapper(
      (await f.call(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body ?? Buffer.alloc(0),
    );
    const r = await f.call(
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      {},
      encodeSubscriptionGroupConfig(group),
    );
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(f.ctx.subscriptionGroupManager.get("GroupA")).toEqual(group);
    expect(existsSync(join(f.dir, "config", "subscriptionGroup.json"))).toBe(true);
    const after = decodeSubscriptionGroupWrapper(
      (await f.call(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG)).body ?? Buffer.alloc(0),
    );
    expect(after.subscriptionGroupTable).toContainEqual(group);
    expect(after.dataVersion.counter).toBe(before.dataVersion.counter + 1);
  });

  it("refuses an illegal group name, an empty body and out-of-range retry queues", async () => {
    const bad = await f.call(
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      {},
      encodeSubscriptionGroupConfig({ ...group, groupName: "a b" }),
    );
    expect(bad.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(bad.remark).toContain("illegal characters");
    expect((await f.call(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)).code).toBe(
      ResponseCode.INVALID_PARAMETER,
    );
    const many = await f.call(
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      {},
      encodeSubscriptionGroupConfig({ ...group, retryQueueNums: 5000 }),
    );
    expect(many.code).toBe(ResponseCode.INVALID_PARAMETER);
    expect(f.ctx.subscriptionGroupManager.get("GroupA")).toBeUndefined();
  });

  it("answers SYSTEM_ERROR for a body that is not JSON", async () => {
    const r = await f.call(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, "{not json");
    expect(r.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(r.remark).toContain("UPDATE_AND_CREATE_SUBSCRIPTIONGROUP");
  });

  it("deletes a group, and its offsets only when asked (4.9 removeOffset, 5.x cleanOffset)", async () => {
    for (const [flag, kept] of [
      [{}, 5],
      [{ removeOffset: "true" }, -1],
      [{ cleanOffset: "true" }, -1],
    ] as const) {
      await f.call(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, encodeSubscriptionGroupConfig(group));
      f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicA", 0, 5);
      const r = await f.call(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: "GroupA", ...flag });
      expect(r.code).toBe(ResponseCode.SUCCESS);
      expect(f.ctx.subscriptionGroupManager.get("GroupA")).toBeUndefined();
      expect(f.ctx.consumerOffsetManager.queryOffset("GroupA", "TopicA", 0)).toBe(kept);
    }
  });
});
