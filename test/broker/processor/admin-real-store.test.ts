/**
 * The admin and query commands over the real DefaultMessageStore (CommitLog, ConsumeQueues and IndexFiles in a
 * temp dir), end to end through the dispatcher.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeConsumeStats, decodeTopicStatsTable } from "../../../lib/protocol/body/queue-stats-bodies.js";
import { decodeKVTable } from "../../../lib/protocol/cluster-info.js";
import { decodeMessageRecords } from "../../../lib/protocol/message-record.js";
import { RequestCode } from "../../../lib/protocol/request-code.js";
import { ResponseCode } from "../../../lib/protocol/response-code.js";
import { DefaultMessageStore } from "../../../lib/store/default-message-store.js";
import { msg, smallConfig } from "../../store/store-fixtures.js";
import { type AdminFixture, createAdminFixture } from "./admin-fixture.js";

let f: AdminFixture;
let store: DefaultMessageStore;

beforeEach(async () => {
  f = createAdminFixture([], {}, (dir, clock) => {
    store = new DefaultMessageStore(smallConfig(dir), clock);
    return store;
  });
  await store.start();
  f.ctx.topicConfigManager.update({
    topicName: "TopicTest",
    readQueueNums: 2,
    writeQueueNums: 2,
    perm: 6,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
    attributes: {},
  });
});

afterEach(async () => {
  await store.shutdown();
  f.cleanup();
});

async function put(queueId: number, keys: string, body: string) {
  const r = await store.putMessage(msg({ queueId, keys, body, uniqKey: `U-${body}` }));
  expect(r.status).toBe("PUT_OK");
  return r.appended[0];
}

describe("admin commands over DefaultMessageStore", () => {
  it("QUERY_MESSAGE finds messages by key and by UNIQ_KEY through the IndexFile", async () => {
    await put(0, "order-1", "a");
    await put(1, "order-2", "b");
    await put(0, "order-1 other", "c");
    const base = {
      topic: "TopicTest",
      maxNum: "32",
      beginTimestamp: "0",
      endTimestamp: "9223372036854775807",
    };
    const byKey = await f.call(RequestCode.QUERY_MESSAGE, { ...base, key: "order-1" });
    expect(byKey.code).toBe(ResponseCode.SUCCESS);
    expect(
      decodeMessageRecords(byKey.body ?? Buffer.alloc(0))
        .map((m) => m.body.toString())
        .sort(),
    ).toEqual(["a", "c"]);
    expect(Number(byKey.extFields.indexLastUpdatePhyoffset)).toBeGreaterThan(0);
    const byUniq = await f.call(RequestCode.QUERY_MESSAGE, {
      ...base,
      key: "U-b",
      _UNIQUE_KEY_QUERY: "true",
    });
    expect(decodeMessageRecords(byUniq.body ?? Buffer.alloc(0)).map((m) => m.body.toString())).toEqual(["b"]);
    const none = await f.call(RequestCode.QUERY_MESSAGE, { ...base, key: "nope" });
    expect(none.code).toBe(ResponseCode.QUERY_NOT_FOUND);
  });

  it("VIEW_MESSAGE_BY_ID reads a record by CommitLog offset and reports a bad offset", async () => {
    await put(0, "k", "first");
    const second = await put(0, "k", "second");
    const r = await f.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(second?.wroteOffset) });
    expect(r.code).toBe(ResponseCode.SUCCESS);
    expect(decodeMessageRecords(r.body ?? Buffer.alloc(0))[0]?.body.toString()).toBe("second");
    const bad = await f.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: "3" });
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR);
    expect(bad.remark).toBe("can not find message by the offset, 3");
  });

  it("GET_TOPIC_STATS_INFO and GET_CONSUME_STATS read the ConsumeQueues", async () => {
    await put(0, "k", "a");
    await put(0, "k", "b");
    await put(1, "k", "c");
    f.ctx.consumerOffsetManager.commitOffset("GroupA", "TopicTest", 0, 1);
    const stats = decodeTopicStatsTable(
      (await f.call(RequestCode.GET_TOPIC_STATS_INFO, { topic: "TopicTest" })).body ?? Buffer.alloc(0),
    );
    expect(stats.offsetTable.map(([, o]) => [o.minOffset, o.maxOffset])).toEqual([
      [0, 2],
      [0, 1],
    ]);
    expect(stats.offsetTable[0]?.[1].lastUpdateTimestamp).toBe(f.clock.nowMs());
    const consume = decodeConsumeStats(
      (await f.call(RequestCode.GET_CONSUME_STATS, { consumerGroup: "GroupA" })).body ?? Buffer.alloc(0),
    );
    expect(
      consume.offsetTable.map(([mq, w]) => [mq.queueId, w.brokerOffset, w.consumerOffset, w.lastTimestamp]),
    ).toEqual([
      [0, 2, 1, f.clock.nowMs()],
      [1, 1, 0, 0],
    ]);
  });

  it("DELETE_TOPIC_IN_BROKER drops the topic's ConsumeQueues", async () => {
    await put(0, "k", "a");
    expect((await f.call(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "TopicTest" })).code).toBe(
      ResponseCode.SUCCESS,
    );
    expect(store.getMaxOffsetInQueue("TopicTest", 0)).toBe(0);
    expect(store.getTopicQueueTable().has("TopicTest")).toBe(false);
  });

  it("GET_BROKER_RUNTIME_INFO merges the store's figures and answers both TPS spellings alike", async () => {
    await put(0, "k", "a");
    const table = decodeKVTable(
      (await f.call(RequestCode.GET_BROKER_RUNTIME_INFO)).body ?? Buffer.alloc(0),
    ).table;
    expect(table.commitLogMaxOffset).toBe(String(store.getMaxPhyOffset()));
    expect(table.putMessageTimesTotal).toBe("1");
    expect(table.getTransferredTps).toBe(table.getTransferedTps);
    expect(table.earliestMessageTimeStamp).toBe(String(f.clock.nowMs()));
    expect(table.brokerVersionDesc).toBe("V4_9_8");
  });
});
