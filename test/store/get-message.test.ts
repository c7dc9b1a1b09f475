import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import {
  decodeMessageRecord,
  encodeMessageRecord,
  patchRecordOffsets,
} from "../../lib/protocol/message-record.js";
import { tagsString2tagsCode } from "../../lib/protocol/tags.js";
import { CommitLog } from "../../lib/store/commitlog/commit-log.js";
import { ConsumeQueue } from "../../lib/store/consumequeue/consume-queue.js";
import type { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import { getMessage } from "../../lib/store/get-message.js";
import type { MessageFilter } from "../../lib/store/message-store.js";
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

async function fill(n: number, tags?: (i: number) => string | undefined): Promise<void> {
  for (let i = 0; i < n; i++) await store.putMessage(msg({ body: `m${i}`, tags: tags?.(i) }));
}

const bodies = (r: { messages: Buffer[] }) => r.messages.map((b) => decodeMessageRecord(b).body.toString());
const tagFilter = (tag: string): MessageFilter => ({
  isMatchedByConsumeQueue: (code) => code === tagsString2tagsCode(tag),
});

describe("getMessage offsets (Apache semantics)", () => {
  it("answers NO_MATCHED_LOGIC_QUEUE with nextBeginOffset 0 for a queue that was never written", () => {
    const r = store.getMessage("Nope", 0, 5, 32, 1 << 20);
    expect(r).toMatchObject({
      status: "NO_MATCHED_LOGIC_QUEUE",
      nextBeginOffset: 0,
      minOffset: 0,
      maxOffset: 0,
    });
  });

  it("answers OFFSET_OVERFLOW_ONE at the max offset, keeping the offset", async () => {
    await fill(3);
    expect(store.getMessage("TopicTest", 0, 3, 32, 1 << 20)).toMatchObject({
      status: "OFFSET_OVERFLOW_ONE",
      nextBeginOffset: 3,
      messages: [],
    });
  });

  it("answers OFFSET_OVERFLOW_BADLY past the max offset, moving to the max", async () => {
    await fill(3);
    expect(store.getMessage("TopicTest", 0, 10, 32, 1 << 20)).toMatchObject({
      status: "OFFSET_OVERFLOW_BADLY",
      nextBeginOffset: 3,
    });
  });

  it("returns at most maxMsgNums messages and continues after the last one", async () => {
    await fill(10);
    const r = store.getMessage("TopicTest", 0, 2, 4, 1 << 20);
    expect(r.status).toBe("FOUND");
    expect(bodies(r)).toEqual(["m2", "m3", "m4", "m5"]);
    expect(r.nextBeginOffset).toBe(6);
    expect([r.minOffset, r.maxOffset]).toEqual([0, 10]);
  });

  it("stops before maxTotalBytes but always returns one message", async () => {
    await fill(5);
    const size = store.getMessage("TopicTest", 0, 0, 1, 1 << 20).messages[0]?.length ?? 0;
    expect(store.getMessage("TopicTest", 0, 0, 32, size * 2 + 1).messages).toHaveLength(2);
    const one = store.getMessage("TopicTest", 0, 0, 32, 100);
    expect(one.messages).toHaveLength(1);
    expect(one.nextBeginOffset).toBe(1);
  });

  it("skips messages the ConsumeQueue filter rejects", async () => {
    await fill(6, (i) => (i % 2 === 0 ? "A" : "B"));
    const r = store.getMessage("TopicTest", 0, 0, 2, 1 << 20, tagFilter("B"));
    expect(bodies(r)).toEqual(["m1", "m3"]);
    expect(r.nextBeginOffset).toBe(4);
  });

  it("answers NO_MATCHED_MESSAGE with the offset advanced when nothing matches", async () => {
    await fill(4, () => "A");
    const r = store.getMessage("TopicTest", 0, 1, 32, 1 << 20, tagFilter("Z"));
    expect(r).toMatchObject({ status: "NO_MATCHED_MESSAGE", nextBeginOffset: 4, messages: [] });
  });

  it("applies the second filter stage to the whole record", async () => {
    await fill(4);
    const r = store.getMessage("TopicTest", 0, 0, 32, 1 << 20, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (rec) => decodeMessageRecord(rec).body.toString() === "m2",
    });
    expect(bodies(r)).toEqual(["m2"]);
    expect(r.nextBeginOffset).toBe(4);
  });

  it("scans at most 800 ConsumeQueue units per pull when filtering", async () => {
    const t2 = tempDir();
    const s = await openStore(
      smallConfig(t2.dir, { mappedFileSizeConsumeQueue: 2000 * 20 }),
      new ManualClock(),
    );
    try {
      await Promise.all(Array.from({ length: 900 }, () => s.putMessage(msg({ tags: "A" }))));
      const r = s.getMessage("TopicTest", 0, 0, 32, 1 << 20, tagFilter("Z"));
      expect(r).toMatchObject({ status: "NO_MATCHED_MESSAGE", nextBeginOffset: 800 });
    } finally {
      await s.shutdown();
      t2.cleanup();
    }
  });

  it("reads only within one ConsumeQueue file per pull", async () => {
    await fill(55);
    const r = store.getMessage("TopicTest", 0, 45, 32, 1 << 20);
    expect(bodies(r)).toEqual(["m45", "m46", "m47", "m48", "m49"]);
    expect(r.nextBeginOffset).toBe(50);
  });
});

describe("getMessage over removed data", () => {
  let dir: ReturnType<typeof tempDir>;
  let log: CommitLog;
  let cq: ConsumeQueue;

  beforeEach(() => {
    dir = tempDir();
    log = new CommitLog(join(dir.dir, "commitlog"), 4096);
    log.load();
    cq = new ConsumeQueue(join(dir.dir, "cq"), "T", 0, 10 * 20);
    cq.load();
    for (let q = 0; q < 30; q++) {
      const buf = encodeMessageRecord({ ...msg({ topic: "T", body: Buffer.alloc(900, q) }) }, q, 0, 1);
      const phy = log.append([buf], buf.length);
      patchRecordOffsets(buf, 0, q, phy);
      log.writeStaged();
      cq.put(q, { commitLogOffset: phy, size: buf.length, tagsCode: 0 });
      cq.writeStaged();
    }
  });

  afterEach(() => {
    log.close();
    cq.close();
    dir.cleanup();
  });

  it("answers NO_MESSAGE_IN_QUEUE for an empty queue", () => {
    const empty = new ConsumeQueue(join(dir.dir, "cq2"), "T", 1, 200);
    expect(getMessage(empty, log, 3, 32, 1 << 20, undefined)).toMatchObject({
      status: "NO_MESSAGE_IN_QUEUE",
      nextBeginOffset: 0,
    });
  });

  it("answers MESSAGE_WAS_REMOVING when the CommitLog file is gone but the queue min is not yet corrected", () => {
    // 4 records per CommitLog file, 10 units per ConsumeQueue file: records 0..11 go with 3 files
    for (let i = 0; i < 3; i++) expect(log.deleteFirstSegment()).toBe(true);
    const r = getMessage(cq, log, 0, 2, 1 << 20, undefined);
    expect(r.status).toBe("MESSAGE_WAS_REMOVING");
    expect(r.messages).toEqual([]);
    expect(r.nextBeginOffset).toBe(10);
    const mixed = getMessage(cq, log, 10, 2, 1 << 20, undefined);
    expect(mixed.status).toBe("FOUND");
    expect(mixed.messages.map((m) => decodeMessageRecord(m).queueOffset)).toEqual([12, 13]);
  });

  it("answers OFFSET_FOUND_NULL with the next file start when the ConsumeQueue file is gone", () => {
    for (let i = 0; i < 3; i++) log.deleteFirstSegment();
    cq.correctMinOffset(log.minOffset);
    expect(cq.minOffset).toBe(12);
    cq.minOffset = 0;
    expect(getMessage(cq, log, 3, 32, 1 << 20, undefined)).toMatchObject({
      status: "OFFSET_FOUND_NULL",
      nextBeginOffset: 10,
    });
  });

  it("answers OFFSET_TOO_SMALL below the corrected min offset", () => {
    log.deleteFirstSegment();
    cq.correctMinOffset(log.minOffset);
    expect(getMessage(cq, log, 1, 32, 1 << 20, undefined)).toMatchObject({
      status: "OFFSET_TOO_SMALL",
      nextBeginOffset: 4,
    });
  });

  it("skips hole units", () => {
    const holes = new ConsumeQueue(join(dir.dir, "cq3"), "T", 2, 200);
    const unit = cq.unitAt(5);
    if (!unit) throw new Error("no unit");
    holes.put(0, unit);
    holes.put(3, unit);
    holes.writeStaged();
    expect(holes.maxOffset).toBe(4);
    const r = getMessage(holes, log, 0, 32, 1 << 20, undefined);
    expect(r.messages).toHaveLength(2);
    expect(r.nextBeginOffset).toBe(4);
    expect(getMessage(holes, log, 1, 32, 1 << 20, undefined).messages).toHaveLength(1);
  });

  it("starts an empty queue at the first offset it is given", () => {
    const late = new ConsumeQueue(join(dir.dir, "cq4"), "T", 3, 200);
    const unit = cq.unitAt(5);
    if (!unit) throw new Error("no unit");
    late.put(23, unit);
    late.writeStaged();
    expect([late.minOffset, late.maxOffset]).toEqual([23, 24]);
    expect(getMessage(late, log, 23, 32, 1 << 20, undefined).messages).toHaveLength(1);
  });
});
