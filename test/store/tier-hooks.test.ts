/**
 * The store's cold-tier hooks (tier-hooks.ts) with a cold tier held in memory: retention waits for the tier,
 * reads reach history the local disk dropped, a store on an empty disk continues after the tier, admission and
 * objectStore durability.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/common/clock.js";
import { isStratusError } from "../../lib/common/errors.js";
import { decodeMessageRecord, decodeMessageRecords } from "../../lib/protocol/message-record.js";
import { tagsString2tagsCode } from "../../lib/protocol/tags.js";
import { DefaultMessageStore } from "../../lib/store/default-message-store.js";
import type { MessageStoreConfig } from "../../lib/store/message-store.js";
import { MemoryColdTier } from "./memory-cold-tier.js";
import { msg, smallConfig, tempDir } from "./store-fixtures.js";

const SEG = 64 * 1024;
let t: ReturnType<typeof tempDir>;
let clock: ManualClock;
const opened: DefaultMessageStore[] = [];

async function open(tier: MemoryColdTier | undefined, over: Partial<MessageStoreConfig> = {}, dir = t.dir) {
  const s = new DefaultMessageStore(smallConfig(dir, { maxCommitLogBytes: SEG, ...over }), clock);
  if (tier) s.attachTier(tier);
  await s.start();
  opened.push(s);
  return s;
}

beforeEach(() => {
  t = tempDir();
  clock = new ManualClock();
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.shutdown();
  t.cleanup();
});

/** Sends `n` messages of ~5 KB on queue 0 (bodies "m<i>", keys "k<i>"). */
async function send(s: DefaultMessageStore, from: number, n: number, tags?: string) {
  for (let i = from; i < from + n; i++) {
    const body = Buffer.concat([Buffer.from(`m${i}|`), Buffer.alloc(5000, 1)]);
    const r = await s.putMessage(msg({ body, keys: `k${i}`, ...(tags ? { tags } : {}) }));
    expect(r.status).toBe("PUT_OK");
  }
}

async function readAll(s: DefaultMessageStore, from = 0, batch = 7): Promise<string[]> {
  const out: string[] = [];
  let offset = from;
  for (let guard = 0; guard < 1000; guard++) {
    const r = await s.getMessageAsync("TopicTest", 0, offset, batch, 1 << 20);
    if (r.status !== "FOUND" && r.nextBeginOffset === offset) break;
    for (const rec of r.messages) {
      const m = decodeMessageRecord(rec);
      expect(m.queueOffset).toBe(offset + out.length - (offset - from));
      out.push(m.body.toString("latin1").split("|")[0] as string);
    }
    if (r.nextBeginOffset === offset && r.status !== "FOUND") break;
    offset = r.nextBeginOffset;
    if (offset >= r.maxOffset) break;
  }
  return out;
}

const commitLogFiles = (dir = t.dir) => readdirSync(join(dir, "commitlog")).length;
const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);

describe("retention guard", () => {
  it("keeps CommitLog segments the tier does not hold, whatever their size says", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 60);
    const files = commitLogFiles();
    expect(files).toBeGreaterThanOrEqual(5);
    expect(s.runRetention()).toBe(0);
    expect(commitLogFiles()).toBe(files);
    tier.commit(s);
    await s.flush();
    expect(s.runRetention()).toBeGreaterThan(0);
    expect(commitLogFiles()).toBeLessThanOrEqual(2);
  });

  it("deletes only up to what the tier committed", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 30);
    tier.commit(s);
    const committed = tier.committed;
    await send(s, 30, 40);
    await s.flush();
    s.runRetention();
    expect(s.getMinPhyOffset()).toBeLessThanOrEqual(committed);
    expect(s.getMinPhyOffset()).toBeGreaterThan(0);
  });
});

describe("reads across tiers", () => {
  it("pulls every message from offset 0 in order after retention dropped the local copies", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 80);
    tier.commit(s);
    await s.flush();
    s.runRetention();
    expect(s.getMinPhyOffset()).toBeGreaterThan(0);
    expect(s.getMessage("TopicTest", 0, 0, 1, 1 << 20).status).toBe("OFFSET_TOO_SMALL");
    expect(s.getMinOffsetInQueue("TopicTest", 0)).toBe(0);
    expect(s.getMaxOffsetInQueue("TopicTest", 0)).toBe(80);
    expect(await readAll(s)).toEqual(names(80));
    expect(tier.unitReads).toBeGreaterThan(0);
  });

  it("reports both tiers' min and max offsets and the statuses past either end", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 40);
    tier.commit(s);
    await s.flush();
    s.runRetention();
    const one = await s.getMessageAsync("TopicTest", 0, 40, 1, 1 << 20);
    expect(one).toMatchObject({ status: "OFFSET_OVERFLOW_ONE", minOffset: 0, maxOffset: 40 });
    const badly = await s.getMessageAsync("TopicTest", 0, 41, 1, 1 << 20);
    expect(badly).toMatchObject({ status: "OFFSET_OVERFLOW_BADLY", nextBeginOffset: 40 });
    const first = await s.getMessageAsync("TopicTest", 0, 0, 3, 1 << 20);
    expect(first).toMatchObject({ status: "FOUND", nextBeginOffset: 3, minOffset: 0, maxOffset: 40 });
  });

  it("filters tiered messages by tag and moves past the ones that do not match", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 30, "A");
    tier.commit(s);
    await s.flush();
    s.runRetention();
    const code = tagsString2tagsCode("B");
    // the memory tier stores tagsCode 0, so a tag filter rejects every unit at the ConsumeQueue stage
    const r = await s.getMessageAsync("TopicTest", 0, 0, 8, 1 << 20, {
      isMatchedByConsumeQueue: (c) => c === code,
    });
    expect(r.status).toBe("NO_MATCHED_MESSAGE");
    expect(r.nextBeginOffset).toBeGreaterThan(0);
    expect(r.messages).toEqual([]);
  });

  it("looks messages up by CommitLog offset and by key in either tier", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    const first = await s.putMessage(msg({ body: "first", keys: "k-old" }));
    await send(s, 0, 60);
    tier.commit(s);
    await s.flush();
    s.runRetention();
    const phy = first.appended[0]?.wroteOffset as number;
    expect(s.lookMessageByOffset(phy)).toBeUndefined();
    const rec = await s.lookMessageByOffsetAsync(phy);
    expect(decodeMessageRecord(rec as Buffer).body.toString()).toBe("first");
    const found = await s.queryMessageAsync("TopicTest", "k-old", 10, 0, Number.MAX_SAFE_INTEGER);
    expect(found.messages.map((m) => decodeMessageRecord(m).body.toString())).toEqual(["first"]);
    const recent = await s.queryMessageAsync("TopicTest", "k59", 10, 0, Number.MAX_SAFE_INTEGER);
    expect(recent.messages).toHaveLength(1);
  });

  it("never reads past what the tier committed", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    expect(await s.lookMessageByOffsetAsync(0)).toBeUndefined();
    expect(tier.recordReads).toBe(0);
  });
});

describe("starting after the tier", () => {
  it("continues CommitLog and queue offsets after the tier on an empty disk and serves all history", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 25);
    tier.commit(s);
    const committed = tier.committed;
    await s.shutdown();
    const fresh = await open(tier, {}, join(t.dir, "replacement"));
    expect(fresh.getMinPhyOffset()).toBe(Math.ceil(committed / SEG) * SEG);
    expect(fresh.getMaxOffsetInQueue("TopicTest", 0)).toBe(25);
    const r = await fresh.putMessage(msg({ body: Buffer.from("m25|") }));
    expect(r.appended[0]?.queueOffset).toBe(25);
    expect(r.appended[0]?.wroteOffset).toBe(Math.ceil(committed / SEG) * SEG);
    expect(await readAll(fresh)).toEqual(names(26));
    expect(fresh.getTopicQueueTable().get("TopicTest")).toEqual([0]);
  });

  it("drops a local log that is behind the tier and continues after the tier", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    await send(s, 0, 10);
    await s.shutdown();
    // the tier holds more history than this disk (written by a process whose disk went further)
    const fromOld = await open(undefined, {}, join(t.dir, "ahead"));
    await send(fromOld, 0, 30);
    tier.commit(fromOld);
    await fromOld.shutdown();
    const back = await open(tier);
    expect(back.getMinPhyOffset()).toBeGreaterThanOrEqual(tier.committed);
    expect(back.getMaxOffsetInQueue("TopicTest", 0)).toBe(30);
    expect(await readAll(back)).toEqual(names(30));
  });
});

describe("admission and objectStore durability", () => {
  it("refuses puts with the tier's remark while it says so", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier);
    tier.refusal = "local budget exhausted";
    const r = await s.putMessage(msg());
    expect(r).toMatchObject({ status: "SERVICE_NOT_AVAILABLE", remark: "local budget exhausted" });
    tier.refusal = undefined;
    expect((await s.putMessage(msg())).status).toBe("PUT_OK");
    expect(tier.appended.length).toBeGreaterThan(0);
  });

  it("answers objectStore puts once the tier committed them, FLUSH_DISK_TIMEOUT when it does not", async () => {
    const tier = new MemoryColdTier();
    const s = await open(tier, { flushDiskType: "objectStore", syncFlushTimeout: 200 });
    let answered = false;
    const p = s.putMessage(msg()).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    tier.commit(s);
    expect((await p).status).toBe("PUT_OK");
    const late = await s.putMessage(msg());
    expect(late.status).toBe("FLUSH_DISK_TIMEOUT");
  });

  it("refuses to start in objectStore mode without a tier", async () => {
    const s = new DefaultMessageStore(smallConfig(t.dir, { flushDiskType: "objectStore" }), clock);
    const e = await s.start().catch((x: unknown) => x);
    expect(isStratusError(e, "CONFIG_INVALID")).toBe(true);
  });
});

describe("without a tier", () => {
  it("answers the async reads like the sync ones", async () => {
    const s = await open(undefined);
    await send(s, 0, 5);
    const a = await s.getMessageAsync("TopicTest", 0, 0, 32, 1 << 20);
    const b = s.getMessage("TopicTest", 0, 0, 32, 1 << 20);
    expect(decodeMessageRecords(Buffer.concat(a.messages))).toEqual(
      decodeMessageRecords(Buffer.concat(b.messages)),
    );
  });
});
