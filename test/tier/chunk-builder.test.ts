import { describe, expect, it } from "vitest";
import { isStratusError } from "../../lib/common/errors.js";
import { encodeMessageRecord, writeLong } from "../../lib/protocol/message-record.js";
import { MessageSysFlag } from "../../lib/protocol/message-sys-flag.js";
import { tagsString2tagsCode } from "../../lib/protocol/tags.js";
import { decodeConsumeQueueUnit } from "../../lib/store/consumequeue/consume-queue-unit.js";
import { indexKeyHash } from "../../lib/store/index/index-file-codec.js";
import { ChunkCutter, cutChunk } from "../../lib/tier/chunk-builder.js";
import { msg } from "../store/store-fixtures.js";

const START = 1_000_000;

/** Records back to back from START, as the CommitLog holds them. */
function log(specs: Parameters<typeof msg>[0][], queueOffsets?: number[]): Buffer {
  const out: Buffer[] = [];
  let phy = START;
  const next = new Map<string, number>();
  specs.forEach((s, i) => {
    const m = msg(s);
    const key = `${m.topic}-${m.queueId}`;
    const q = queueOffsets?.[i] ?? next.get(key) ?? 0;
    next.set(key, q + 1);
    const rec = encodeMessageRecord(m, q, phy, 1000 + i);
    out.push(rec);
    phy += rec.length;
  });
  return Buffer.concat(out);
}

const limits = { maxBytes: 1 << 20, maxQueues: 1024, delayLevels: [1000, 5000] };

describe("cutChunk", () => {
  it("derives every queue's ConsumeQueue units and the index keys from the records", () => {
    const bytes = log([
      { queueId: 1, tags: "TagA", keys: "a b" },
      { queueId: 0, uniqKey: "U1" },
      { queueId: 1, tags: "TagB" },
    ]);
    const cut = cutChunk(bytes, START, limits);
    expect(cut.length).toBe(bytes.length);
    expect(cut.records).toBe(3);
    expect(cut.index.endOffset).toBe(START + bytes.length);
    expect(
      cut.index.queues.map((q) => [q.topic, q.queueId, q.firstQueueOffset, q.units.length / 20]),
    ).toEqual([
      ["TopicTest", 0, 0, 1],
      ["TopicTest", 1, 0, 2],
    ]);
    const q1 = cut.index.queues[1]?.units as Buffer;
    expect(decodeConsumeQueueUnit(q1, 0)).toMatchObject({
      commitLogOffset: START,
      tagsCode: tagsString2tagsCode("TagA"),
    });
    expect(decodeConsumeQueueUnit(q1, 20).tagsCode).toBe(tagsString2tagsCode("TagB"));
    expect(cut.index.keys.map((k) => k.hash)).toEqual(
      ["TopicTest#a", "TopicTest#b", "TopicTest#U1"].map(indexKeyHash),
    );
    expect(cut.minStoreTimestamp).toBe(1000);
    expect(cut.maxStoreTimestamp).toBe(1002);
  });

  it("cuts the same chunk when walked a few records per step as in one go", () => {
    const specs = Array.from({ length: 40 }, (_, i) => ({
      queueId: i % 3,
      tags: `Tag${i % 5}`,
      keys: `k${i}`,
      body: Buffer.alloc(100 + i),
    }));
    const bytes = log(specs);
    const whole = cutChunk(bytes, START, { ...limits, maxBytes: 3000 });
    expect(whole.records).toBeGreaterThan(10);
    expect(whole.records).toBeLessThan(40);
    for (const per of [1, 3, 7]) {
      const cutter = new ChunkCutter(bytes, START, { ...limits, maxBytes: 3000 });
      let steps = 1;
      while (!cutter.step(per)) steps++;
      expect(steps).toBeGreaterThanOrEqual(Math.floor(whole.records / per));
      expect(cutter.result()).toEqual(whole);
    }
  });

  it("cuts before the record that would pass the byte limit, but always takes one", () => {
    const bytes = log([
      { body: Buffer.alloc(3000) },
      { body: Buffer.alloc(3000) },
      { body: Buffer.alloc(3000) },
    ]);
    const one = bytes.readInt32BE(0);
    expect(cutChunk(bytes, START, { ...limits, maxBytes: 2 * one }).records).toBe(2);
    expect(cutChunk(bytes, START, { ...limits, maxBytes: 10 }).records).toBe(1);
  });

  it("cuts before a record of a queue past the queue limit", () => {
    const bytes = log([{ queueId: 0 }, { queueId: 1 }, { queueId: 0 }, { queueId: 2 }]);
    expect(cutChunk(bytes, START, { ...limits, maxQueues: 2 }).records).toBe(3);
  });

  it("stops at a blank marker and at a torn record", () => {
    const bytes = log([{}, {}]);
    const blank = Buffer.alloc(8);
    blank.writeInt32BE(64, 0);
    blank.writeInt32BE(0xcbd43194 | 0, 4);
    const first = bytes.readInt32BE(0);
    expect(cutChunk(Buffer.concat([bytes.subarray(0, first), blank]), START, limits).records).toBe(1);
    expect(cutChunk(bytes.subarray(0, bytes.length - 1), START, limits).records).toBe(1);
    expect(cutChunk(blank, START, limits).length).toBe(0);
  });

  it("gives PREPARED records no unit and ROLLBACK records no keys, like the dispatcher", () => {
    const bytes = log(
      [
        { keys: "p", sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE },
        { keys: "r", sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE },
        { keys: "c" },
      ],
      [0, 0, 0],
    );
    const cut = cutChunk(bytes, START, limits);
    expect(cut.index.queues.map((q) => q.units.length / 20)).toEqual([1]);
    expect(cut.index.keys.map((k) => k.hash)).toEqual(["TopicTest#p", "TopicTest#c"].map(indexKeyHash));
  });

  it("uses the delivery time as the schedule topic's tagsCode", () => {
    const bytes = log([{ topic: "SCHEDULE_TOPIC_XXXX", queueId: 1, props: { DELAY: "2" } }]);
    const units = cutChunk(bytes, START, limits).index.queues[0]?.units as Buffer;
    expect(decodeConsumeQueueUnit(units, 0).tagsCode).toBe(1000 + 5000);
  });

  it("fills a small gap in a queue's offsets with hole units", () => {
    const bytes = log([{}, {}], [4, 7]);
    const q = cutChunk(bytes, START, limits).index.queues[0];
    expect(q?.firstQueueOffset).toBe(4);
    expect((q?.units.length ?? 0) / 20).toBe(4);
    expect(decodeConsumeQueueUnit(q?.units as Buffer, 20).size).toBe(0x7fffffff);
  });

  it("raises STORE_CORRUPT for a record that is not where it says it is", () => {
    const bytes = log([{}]);
    writeLong(bytes, 28, START + 1);
    const e = (() => {
      try {
        cutChunk(bytes, START, limits);
      } catch (x) {
        return x;
      }
    })();
    expect(isStratusError(e, "STORE_CORRUPT")).toBe(true);
  });
});
