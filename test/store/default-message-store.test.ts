import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { decodeOffsetMessageId } from "../../lib/protocol/message-id.js";
import { decodeMessageRecord } from "../../lib/protocol/message-record.js";
import { MessageSysFlag } from "../../lib/protocol/message-sys-flag.js";
import { tagsString2tagsCode } from "../../lib/protocol/tags.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import { msg, openStore, smallConfig, tempDir } from "./store-fixtures.js";

let t: ReturnType<typeof tempDir>;
let store: DefaultMessageStore;

beforeEach(async () => {
  t = tempDir();
  store = await openStore(smallConfig(t.dir), new ManualClock());
});

afterEach(async () => {
  await store.shutdown();
  t.cleanup();
});

const bodies = (r: { messages: Buffer[] }) => r.messages.map((b) => decodeMessageRecord(b).body.toString());

describe("putMessage / getMessage", () => {
  it("makes a message readable as soon as putMessage resolves", async () => {
    const r = await store.putMessage(msg({ body: "m0" }));
    expect(r.status).toBe("PUT_OK");
    expect(r.appended).toHaveLength(1);
    const a = r.appended[0];
    expect(a?.queueOffset).toBe(0);
    expect(a?.wroteOffset).toBe(0);
    expect(decodeOffsetMessageId(a?.msgId ?? "")).toEqual({ address: "10.0.0.7:10911", offset: 0 });
    const g = store.getMessage("TopicTest", 0, 0, 32, 1 << 20);
    expect(g.status).toBe("FOUND");
    expect(bodies(g)).toEqual(["m0"]);
    expect(g.nextBeginOffset).toBe(1);
    expect([g.minOffset, g.maxOffset]).toEqual([0, 1]);
  });

  it("assigns consecutive queue offsets per topic-queue, shared by concurrent sends", async () => {
    const rs = await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.putMessage(msg({ queueId: i % 3, body: `b${i}` }))),
    );
    for (let q = 0; q < 3; q++) {
      const offsets = rs.filter((_, i) => i % 3 === q).map((r) => r.appended[0]?.queueOffset);
      expect(offsets).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(store.getMaxOffsetInQueue("TopicTest", q)).toBe(10);
    }
    const phys = rs.map((r) => r.appended[0]?.wroteOffset ?? -1);
    expect([...phys].sort((a, b) => a - b)).toEqual(phys);
    expect(bodies(store.getMessage("TopicTest", 1, 0, 32, 1 << 20))).toEqual(
      Array.from({ length: 10 }, (_, i) => `b${i * 3 + 1}`),
    );
  });

  it("stores a batch with consecutive offsets on one queue", async () => {
    await store.putMessage(msg({ queueId: 2 }));
    const r = await store.putMessages([msg({ queueId: 2, body: "x" }), msg({ queueId: 2, body: "y" })]);
    expect(r.status).toBe("PUT_OK");
    expect(r.appended.map((a) => a.queueOffset)).toEqual([1, 2]);
    const [a, b] = r.appended;
    expect(b?.wroteOffset).toBe((a?.wroteOffset ?? 0) + (a?.wroteBytes ?? 0));
  });

  it("rejects a batch spanning two queues as MESSAGE_ILLEGAL", async () => {
    const r = await store.putMessages([msg({ queueId: 0 }), msg({ queueId: 1 })]);
    expect(r.status).toBe("MESSAGE_ILLEGAL");
    expect(store.getMaxPhyOffset()).toBe(0);
  });

  it("answers PROPERTIES_SIZE_EXCEEDED for properties over 32767 bytes", async () => {
    const r = await store.putMessage(msg({ props: { BIG: "x".repeat(33_000) } }));
    expect(r.status).toBe("PROPERTIES_SIZE_EXCEEDED");
  });

  it("answers MESSAGE_ILLEGAL for a record larger than a CommitLog file", async () => {
    const r = await store.putMessage(msg({ body: Buffer.alloc(64 * 1024) }));
    expect(r.status).toBe("MESSAGE_ILLEGAL");
  });

  it("rejects topics that would escape the store directory", async () => {
    for (const topic of ["..", "a/b", "a\\b", ""]) {
      expect((await store.putMessage(msg({ topic }))).status).toBe("MESSAGE_ILLEGAL");
    }
  });

  it("puts PREPARED and ROLLBACK records in no ConsumeQueue, with queue offset 0", async () => {
    const p = await store.putMessage(msg({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE, queueId: 1 }));
    const rb = await store.putMessage(msg({ sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE, queueId: 1 }));
    const c = await store.putMessage(msg({ sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE, queueId: 1 }));
    expect([p.appended[0]?.queueOffset, rb.appended[0]?.queueOffset, c.appended[0]?.queueOffset]).toEqual([
      0, 0, 0,
    ]);
    expect(store.getMaxOffsetInQueue("TopicTest", 1)).toBe(1);
    const half = store.lookMessageByOffset(p.appended[0]?.wroteOffset ?? -1);
    expect(half && decodeMessageRecord(half).queueOffset).toBe(0);
  });

  it("rolls to a new CommitLog file without splitting a record", async () => {
    const body = Buffer.alloc(10_000, 1);
    const rs = [];
    for (let i = 0; i < 14; i++) rs.push(await store.putMessage(msg({ body })));
    const size = rs[0]?.appended[0]?.wroteBytes ?? 0;
    for (const r of rs) {
      const a = r.appended[0];
      const start = a?.wroteOffset ?? 0;
      expect(Math.floor(start / 65536)).toBe(Math.floor((start + size - 1) / 65536));
    }
    expect(rs[6]?.appended[0]?.wroteOffset).toBe(65536);
    const all = store.getMessage("TopicTest", 0, 0, 32, 1 << 20);
    expect(all.messages).toHaveLength(14);
  });

  it("calls the arriving listener with the new max offset after the unit is readable", async () => {
    const seen: unknown[] = [];
    store.setMessageArrivingListener((topic, queueId, logicOffset, tagsCode) => {
      seen.push([topic, queueId, logicOffset, tagsCode, store.getMaxOffsetInQueue(topic, queueId)]);
    });
    await store.putMessage(msg({ queueId: 3, tags: "TagA" }));
    await store.putMessage(msg({ queueId: 3 }));
    await store.putMessage(msg({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }));
    expect(seen).toEqual([
      ["TopicTest", 3, 1, tagsString2tagsCode("TagA"), 1],
      ["TopicTest", 3, 2, 0, 2],
    ]);
  });

  it("computes the delivery time as tagsCode for SCHEDULE_TOPIC_XXXX", async () => {
    const clock = new ManualClock(1_000_000);
    const t2 = tempDir();
    const s = await openStore(smallConfig(t2.dir), clock);
    try {
      await s.putMessage(msg({ topic: "SCHEDULE_TOPIC_XXXX", queueId: 2, props: { DELAY: "3" }, tags: "T" }));
      const codes: number[] = [];
      s.getMessage("SCHEDULE_TOPIC_XXXX", 2, 0, 1, 1 << 20, {
        isMatchedByConsumeQueue: (c) => {
          codes.push(c);
          return true;
        },
      });
      expect(codes).toEqual([1_000_000 + 10_000]);
    } finally {
      await s.shutdown();
      t2.cleanup();
    }
  });

  it("keeps accepting sends when the arriving listener throws", async () => {
    store.setMessageArrivingListener(() => {
      throw new Error("listener bug");
    });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      expect((await store.putMessage(msg())).status).toBe("PUT_OK");
      expect((await store.putMessage(msg())).status).toBe("PUT_OK");
      await new Promise((r) => setImmediate(r));
      expect(warnings.some((w) => w.includes("listener bug"))).toBe(true);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("forgets only the deleted topic's offsets, not those of topics sharing its prefix", async () => {
    await store.putMessage(msg({ topic: "A" }));
    await store.putMessage(msg({ topic: "A-1" }));
    store.deleteTopics(["A"]);
    expect((await store.putMessage(msg({ topic: "A-1" }))).appended[0]?.queueOffset).toBe(1);
    expect((await store.putMessage(msg({ topic: "A" }))).appended[0]?.queueOffset).toBe(0);
  });

  it("refuses reads after shutdown with SHUTTING_DOWN", async () => {
    await store.shutdown();
    expect(() => store.getMessage("TopicTest", 0, 0, 1, 1)).toThrow(/stopped/);
    expect(() => store.lookMessageByOffset(0)).toThrow(/stopped/);
  });

  it("answers SERVICE_NOT_AVAILABLE after shutdown", async () => {
    await store.shutdown();
    expect((await store.putMessage(msg())).status).toBe("SERVICE_NOT_AVAILABLE");
  });
});
