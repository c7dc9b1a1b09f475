import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { decodeMessageRecord } from "../../lib/protocol/message-record.js";
import { MessageSysFlag } from "../../lib/protocol/message-sys-flag.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import { msg, openStore, smallConfig, tempDir } from "./store-fixtures.js";

const T0 = 1_700_000_000_000;
let t: ReturnType<typeof tempDir>;
let clock: ManualClock;
let store: DefaultMessageStore;

beforeEach(async () => {
  t = tempDir();
  clock = new ManualClock(T0);
  store = await openStore(smallConfig(t.dir, { maxIndexNum: 8 }), clock);
});

afterEach(async () => {
  await store.shutdown();
  t.cleanup();
});

const ALL = [0, Number.MAX_SAFE_INTEGER] as const;
const bodiesOf = (rs: Buffer[]) => rs.map((b) => decodeMessageRecord(b).body.toString());

describe("queryMessage", () => {
  it("finds messages by each KEYS entry and by UNIQ_KEY, newest first", async () => {
    for (let i = 0; i < 4; i++) {
      clock.advance(2000);
      await store.putMessage(msg({ body: `b${i}`, keys: `order-${i % 2} all`, uniqKey: `U${i}` }));
    }
    expect(bodiesOf(store.queryMessage("TopicTest", "order-1", 10, ...ALL).messages)).toEqual(["b3", "b1"]);
    expect(bodiesOf(store.queryMessage("TopicTest", "all", 3, ...ALL).messages)).toEqual(["b3", "b2", "b1"]);
    expect(bodiesOf(store.queryMessage("TopicTest", "U2", 10, ...ALL).messages)).toEqual(["b2"]);
    expect(store.queryMessage("Other", "U2", 10, ...ALL).messages).toEqual([]);
    const r = store.queryMessage("TopicTest", "all", 10, ...ALL);
    expect(r.indexLastUpdateTimestamp).toBe(T0 + 8000);
    expect(r.indexLastUpdatePhyoffset).toBe(store.getMaxPhyOffset() - (r.messages[0]?.length ?? 0));
  });

  it("keeps only messages stored within [begin, end]", async () => {
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await store.putMessage(msg({ body: `b${i}`, keys: "k" }));
    }
    const r = store.queryMessage("TopicTest", "k", 10, T0 + 20_000, T0 + 40_000);
    expect(bodiesOf(r.messages)).toEqual(["b3", "b2", "b1"]);
  });

  it("searches across index files after one fills up", async () => {
    for (let i = 0; i < 20; i++) await store.putMessage(msg({ body: `b${i}`, keys: "same" }));
    expect(store.queryMessage("TopicTest", "same", 64, ...ALL).messages).toHaveLength(20);
  });

  it("does not index ROLLBACK records", async () => {
    await store.putMessage(msg({ keys: "rb", sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE }));
    await store.putMessage(msg({ keys: "pr", sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }));
    expect(store.queryMessage("TopicTest", "rb", 10, ...ALL).messages).toEqual([]);
    expect(store.queryMessage("TopicTest", "pr", 10, ...ALL).messages).toHaveLength(1);
  });

  it("returns nothing when indexing is disabled", async () => {
    const t2 = tempDir();
    const s = await openStore(smallConfig(t2.dir, { messageIndexEnable: false }), clock);
    await s.putMessage(msg({ keys: "k" }));
    expect(s.queryMessage("TopicTest", "k", 10, ...ALL).messages).toEqual([]);
    await s.shutdown();
    t2.cleanup();
  });
});

describe("lookups by offset and time", () => {
  beforeEach(async () => {
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      await store.putMessage(msg({ body: `b${i}` }));
    }
  });

  it("reads the whole record at a CommitLog offset, or nothing", async () => {
    const r = await store.putMessage(msg({ body: "here" }));
    const rec = store.lookMessageByOffset(r.appended[0]?.wroteOffset ?? -1);
    expect(rec && decodeMessageRecord(rec).body.toString()).toBe("here");
    expect(store.lookMessageByOffset(store.getMaxPhyOffset())).toBeUndefined();
    expect(store.lookMessageByOffset(7)).toBeUndefined();
    expect(store.lookMessageByOffset(-1)).toBeUndefined();
  });

  it("answers store times per queue offset", () => {
    expect(store.getMessageStoreTimeStamp("TopicTest", 0, 3)).toBe(T0 + 4000);
    expect(store.getMessageStoreTimeStamp("TopicTest", 0, 10)).toBe(-1);
    expect(store.getEarliestMessageTime("TopicTest", 0)).toBe(T0 + 1000);
    expect(store.getEarliestMessageTime("Nope", 0)).toBe(-1);
  });

  it("finds the first offset stored at or after a time (LOWER)", () => {
    expect(store.getOffsetInQueueByTime("TopicTest", 0, T0 + 4000)).toBe(3);
    expect(store.getOffsetInQueueByTime("TopicTest", 0, T0 + 4500)).toBe(4);
    expect(store.getOffsetInQueueByTime("TopicTest", 0, 0)).toBe(0);
    expect(store.getOffsetInQueueByTime("TopicTest", 0, T0 + 99_000)).toBe(10);
    expect(store.getOffsetInQueueByTime("Nope", 0, T0)).toBe(0);
  });

  it("finds the last offset stored at or before a time (UPPER)", () => {
    expect(store.getOffsetInQueueByTime("TopicTest", 0, T0 + 4000, "UPPER")).toBe(3);
    expect(store.getOffsetInQueueByTime("TopicTest", 0, T0 + 4500, "UPPER")).toBe(3);
    expect(store.getOffsetInQueueByTime("TopicTest", 0, 0, "UPPER")).toBe(0);
    expect(store.getOffsetInQueueByTime("TopicTest", 0, T0 + 99_000, "UPPER")).toBe(9);
  });
});

describe("topics and runtime info", () => {
  it("lists queues per topic and forgets deleted topics", async () => {
    await store.putMessage(msg({ topic: "A", queueId: 2 }));
    await store.putMessage(msg({ topic: "A", queueId: 0 }));
    await store.putMessage(msg({ topic: "B", queueId: 1 }));
    expect(store.getTopicQueueTable()).toEqual(
      new Map([
        ["A", [0, 2]],
        ["B", [1]],
      ]),
    );
    store.deleteTopics(["A"]);
    expect([...store.getTopicQueueTable().keys()]).toEqual(["B"]);
    expect(store.getMessage("A", 2, 0, 32, 1 << 20).status).toBe("NO_MATCHED_LOGIC_QUEUE");
    expect((await store.putMessage(msg({ topic: "A", queueId: 2 }))).appended[0]?.queueOffset).toBe(0);
  });

  it("reports offsets and counters", async () => {
    await store.putMessage(msg());
    await store.putMessage(msg());
    store.getMessage("TopicTest", 0, 0, 32, 1 << 20);
    store.getMessage("TopicTest", 0, 5, 32, 1 << 20);
    const info = store.runtimeInfo();
    expect(info).toMatchObject({
      commitLogMinOffset: "0",
      commitLogMaxOffset: String(store.getMaxPhyOffset()),
      putMessageTimesTotal: "2",
      getMessageTimesTotalFound: "1",
      getMessageTimesTotalMiss: "1",
      getMessageTransferedMsgCount: "2",
    });
    expect(info.putTps).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d$/);
  });
});
